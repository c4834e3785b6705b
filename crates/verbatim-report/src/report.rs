//! Reports: results, tables, methods appendix and COREQ checklist, in HTML, Markdown and DOCX; member-checking documents.
