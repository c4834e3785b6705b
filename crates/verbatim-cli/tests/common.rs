//! Running the binary and building fixture files.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The outcome of one run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Returns the run's stdout parsed as JSON, failing the test otherwise.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// Fails the test unless the run succeeded.
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "command failed:\n{}\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// A temporary folder holding a study and fixture files.
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    /// Returns a workspace with an initialised study `study.vbt` (language fr).
    pub fn with_study() -> Self {
        let ws = Self::empty();
        ws.run(&[
            "init",
            "--project",
            "study.vbt",
            "--title",
            "Étude test",
            "--language",
            "fr",
        ])
        .ok();
        ws
    }

    /// Returns an empty workspace.
    pub fn empty() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// Returns the path of `name` inside the workspace.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Returns the study file's path.
    pub fn study(&self) -> PathBuf {
        self.path("study.vbt")
    }

    /// Writes a file (creating folders) and returns its path.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// Runs `verbatim` with `args` in the workspace folder.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[])
    }

    /// Runs `verbatim` with `args` and extra environment variables.
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_verbatim"));
        cmd.args(args)
            .current_dir(self.dir.path())
            .env_remove("VERBATIM_PROJECT");
        cmd.env("VERBATIM_CODER", "tester");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Imports `paths` into the study and returns the run.
    pub fn import(&self, extra: &[&str]) -> Run {
        let mut args = vec!["import", "--project", "study.vbt"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// Returns `verbatim sources --json`.
    pub fn sources(&self) -> Vec<serde_json::Value> {
        let run = self
            .run(&["sources", "--project", "study.vbt", "--json"])
            .ok();
        run.json().as_array().unwrap().clone()
    }

    /// Returns `verbatim show SOURCE --json`.
    pub fn show(&self, source: &str) -> serde_json::Value {
        self.run(&["show", "--project", "study.vbt", source, "--json"])
            .ok()
            .json()
    }

    /// Returns a canonical dump of every table of the study: what "the study
    /// is unchanged" means, independent of SQLite's page layout.
    pub fn dump(&self) -> Vec<String> {
        let conn = rusqlite::Connection::open(self.study()).unwrap();
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut out = Vec::new();
        for table in tables {
            let mut stmt = conn
                .prepare(&format!("SELECT * FROM {table} ORDER BY 1"))
                .unwrap();
            let cols = stmt.column_count();
            let mut rows = stmt.query([]).unwrap();
            while let Some(row) = rows.next().unwrap() {
                let cells: Vec<String> = (0..cols)
                    .map(|i| format!("{:?}", row.get_ref(i).unwrap()))
                    .collect();
                out.push(format!("{table}: {}", cells.join(" | ")));
            }
        }
        out
    }
}

/// Returns the chars `[start, end)` of `text`.
pub fn slice(text: &str, start: u64, end: u64) -> String {
    text.chars()
        .skip(start as usize)
        .take((end - start) as usize)
        .collect()
}

/// Returns the speech of each turn of a `show --json` value as
/// `(speaker, speech)`.
pub fn turns(shown: &serde_json::Value) -> Vec<(String, String)> {
    let text = shown["text"].as_str().unwrap();
    shown["turns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["speaker"].as_str().unwrap().to_owned(),
                slice(
                    text,
                    t["start"].as_u64().unwrap(),
                    t["end"].as_u64().unwrap(),
                ),
            )
        })
        .collect()
}

/// The shared bilingual interview fixture: a French exchange, lines in order.
pub const INTERVIEW_FR: &[(&str, &str)] = &[
    (
        "INT",
        "Bonjour, merci d’avoir accepté. Comment décririez-vous votre relation avec les usagers ?",
    ),
    (
        "CSI-2",
        "Euh… c’est compliqué. Il y a « la confiance », qu’on construit très lentement, et puis la méfiance quand quelqu’un rechute. Ça, c’est le quotidien 😀.",
    ),
    ("INT", "Vous diriez que l’institution vous aide ?"),
    (
        "CSI-2",
        "Pas vraiment, non. On est pris entre le contrôle et l’accompagnement — cœur du métier, pourtant.",
    ),
];

/// Returns the fixture as `LABEL : speech` lines.
pub fn interview_lines() -> String {
    INTERVIEW_FR
        .iter()
        .map(|(who, what)| format!("{who} : {what}\n"))
        .collect()
}

/// Returns a minimal .docx holding `document_xml` as its body part.
pub fn docx_with(document_xml: &str) -> Vec<u8> {
    zip_with(&[
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#,
        ),
        ("word/document.xml", document_xml),
    ])
}

/// Returns the fixture interview as a .docx with bold speaker labels.
pub fn interview_docx() -> Vec<u8> {
    let mut body = String::new();
    for (who, what) in INTERVIEW_FR {
        body.push_str(&format!(
            r#"<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{who} : </w:t></w:r><w:r><w:t xml:space="preserve">{what}</w:t></w:r></w:p>"#
        ));
    }
    docx_with(&format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    ))
}

/// Returns a zip archive holding the given `(name, content)` entries.
pub fn zip_with(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut buffer = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buffer);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, content) in entries {
            zip.start_file(*name, options).unwrap();
            zip.write_all(content.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
    }
    buffer.into_inner()
}

/// Returns true when `path` exists.
pub fn exists(path: &Path) -> bool {
    path.try_exists().unwrap()
}

/// Returns a one-page PDF whose page draws `content` (a content stream),
/// with Helvetica available as /F1.
pub fn pdf_with_content(content: &str) -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len() + 1),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        out.extend(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// Returns a PDF page with only a drawn rectangle: what a scan looks like to
/// a text extractor.
pub fn pdf_without_text() -> Vec<u8> {
    pdf_with_content("0.5 g 72 72 451 698 re f")
}
