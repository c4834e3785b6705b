//! A codebook as other tools and spreadsheets carry it: a forest of named
//! codes with their definitions. Both the `.qdc` reader and the CSV/XLSX
//! codebook reader produce this, and one function writes it into a coder's
//! layer of a study.

/// One code of an imported codebook, its children nested under it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodebookEntry {
    /// The code's name, unique among its siblings.
    pub name: String,
    /// Level name (`idea`, `sub-theme`, `theme`, `meta-theme`) when the file says it.
    pub level: Option<String>,
    pub definition: Option<String>,
    pub inclusion: Option<String>,
    pub exclusion: Option<String>,
    pub example: Option<String>,
    /// `#RRGGBB` when the file gives a colour.
    pub colour: Option<String>,
    /// The producer's GUID, when there is one.
    pub guid: Option<String>,
    pub children: Vec<CodebookEntry>,
}
