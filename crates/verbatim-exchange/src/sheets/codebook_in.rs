//! Codebooks typed in a spreadsheet, read into a [`CodebookEntry`] forest.
//!
//! Columns are found by their header ([`super::headers`]), in any order, in
//! English or French. The tree can be given three ways, whichever the file
//! has (first found wins):
//!
//! 1. a **path** column: `Relation / Confiance` or `Relation > Confiance`
//!    (ancestors that have no row of their own are created bare);
//! 2. a **parent** column naming each code's parent (empty at the top);
//! 3. a **depth** column (1 = top, each row under the nearest row above it
//!    one level up), as an indented outline is exported.
//!
//! Without any of them the codes are a flat list. A code on several rows is
//! one code: under two parents it feeds both (a DAG, as verbatim's export
//! writes it), and its rows must describe it alike. Every problem is
//! reported with the spreadsheet's row number and the column's header, and
//! the first one stops the import before anything is written.
//!
//! The reader keeps its own row numbers rather than using
//! `verbatim_ingest::read_sheet` (which drops blank rows and would shift
//! them); CSV text is sniffed and checked by the one shared reader,
//! `verbatim_ingest::csv_text`.

use std::collections::{HashMap, HashSet};

use verbatim_store::Level;

use super::SheetError;
use super::csv_out::unneutralised;
use super::headers::{Field, field_of, fold};
use crate::codebook::{CodebookEntry, resolve_level};

/// A codebook read from a spreadsheet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadCodebook {
    /// The codes, as a forest: each code once under its first parent, then
    /// a bare path (names only) for each further parent.
    pub entries: Vec<CodebookEntry>,
    /// Rows that held a code.
    pub rows: usize,
    /// Headers of columns that were not read, for the user to check.
    pub ignored_columns: Vec<String>,
}

/// Which spreadsheet format the bytes are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetKind {
    /// CSV or TSV text (separator sniffed; UTF-8, else Windows-1252).
    Csv,
    /// An Excel or OpenDocument workbook (the first sheet is read).
    Workbook,
}

impl SheetKind {
    /// Returns the kind for a file extension, if it is a spreadsheet.
    pub fn from_extension(ext: &str) -> Option<Self> {
        match ext.to_ascii_lowercase().as_str() {
            "csv" | "tsv" | "txt" => Some(SheetKind::Csv),
            "xlsx" | "xlsm" | "xls" | "ods" => Some(SheetKind::Workbook),
            _ => None,
        }
    }
}

/// Paths deeper than this are refused before any tree is built, so a
/// hostile file cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

/// Reads a codebook from a spreadsheet's bytes; `levels` are the study's,
/// against which level cells are checked.
pub fn read_codebook_sheet(
    kind: SheetKind,
    bytes: &[u8],
    levels: &[Level],
) -> Result<ReadCodebook, SheetError> {
    let rows = match kind {
        SheetKind::Csv => csv_rows(bytes)?,
        SheetKind::Workbook => workbook_rows(bytes)?,
    };
    let mut rows = rows
        .into_iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let Some((_, header)) = rows.next() else {
        return Err(SheetError::Unreadable(
            "the file holds no rows: check that it is the file you meant".into(),
        ));
    };
    let columns = Columns::find(&header)?;
    let body: Vec<(usize, Vec<String>)> = rows.collect();
    let mut book = Builder::new(&columns, levels);
    for (row, cells) in &body {
        book.add_row(*row, cells)?;
    }
    let entries = book.finish()?;
    Ok(ReadCodebook {
        entries,
        rows: body.len(),
        ignored_columns: columns.ignored,
    })
}

/// Rows of cells with their 1-based row numbers as a spreadsheet shows them.
type Rows = Vec<(usize, Vec<String>)>;

fn csv_rows(bytes: &[u8]) -> Result<Rows, SheetError> {
    let rows = verbatim_ingest::csv_text::read_csv(bytes)
        .map_err(|e| SheetError::Unreadable(e.to_string()))?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let cells = r
                .cells
                .iter()
                .map(|c| unneutralised(c.trim()).to_owned())
                .collect();
            (r.row, cells)
        })
        .collect())
}

/// Reads a workbook's first sheet through the one bounded workbook reader
/// (`verbatim_ingest::workbook_rows`), shared with rosters.
fn workbook_rows(bytes: &[u8]) -> Result<Rows, SheetError> {
    verbatim_ingest::workbook_rows(bytes).map_err(|e| match e {
        verbatim_ingest::SheetError::Workbook(reason) => SheetError::Unreadable(format!(
            "the workbook could not be read ({reason}): open it in its spreadsheet and save it again"
        )),
        other => SheetError::Unreadable(format!("the workbook was not read: {other}")),
    })
}

/// Where each field is, by column index, with the header as written.
struct Columns {
    at: HashMap<Field, (usize, String)>,
    ignored: Vec<String>,
}

impl Columns {
    fn find(header: &[String]) -> Result<Self, SheetError> {
        let mut at: HashMap<Field, (usize, String)> = HashMap::new();
        let mut ignored = Vec::new();
        for (i, name) in header.iter().enumerate() {
            let name = name.trim();
            if name.is_empty() {
                continue;
            }
            match field_of(name) {
                Some(Field::Ignored) => {}
                Some(field) if !at.contains_key(&field) => {
                    at.insert(field, (i, name.to_owned()));
                }
                _ => ignored.push(name.to_owned()),
            }
        }
        if !at.contains_key(&Field::Name) && !at.contains_key(&Field::Path) {
            let found: Vec<String> = header
                .iter()
                .filter(|h| !h.trim().is_empty())
                .map(|h| format!("{:?}", h.trim()))
                .collect();
            return Err(SheetError::NoCodeColumn {
                found: found.join(", "),
            });
        }
        Ok(Columns { at, ignored })
    }

    /// Returns the cell of `field` in a row, trimmed, if the column exists
    /// and the cell is not empty.
    fn get<'r>(&self, cells: &'r [String], field: Field) -> Option<&'r str> {
        let (i, _) = self.at.get(&field)?;
        cells.get(*i).map(|c| c.trim()).filter(|c| !c.is_empty())
    }

    fn header(&self, field: Field) -> String {
        self.at
            .get(&field)
            .map_or_else(String::new, |(_, h)| h.clone())
    }
}

/// One code met in the file, with the row that first defined each field.
struct Code {
    entry: CodebookEntry,
    row: usize,
    rank: Option<i64>,
    /// `(field, row)` where each field was first given.
    given_on: HashMap<Field, usize>,
    /// The first row that placed the code itself (not a path through it):
    /// it orders the code among its siblings.
    own_row: Option<usize>,
}

/// What one row says of its code besides its name and place.
struct RowFields<'r> {
    /// The level as written.
    level: Option<&'r str>,
    /// The level's rank in the study.
    rank: Option<i64>,
    /// `#rrggbb`.
    colour: Option<String>,
    /// Definition, inclusion, exclusion, example and GUID, in that order.
    texts: [(Field, Option<&'r str>); 5],
}

/// Collects rows into codes and parent links, then into a forest.
struct Builder<'a> {
    columns: &'a Columns,
    levels: &'a [Level],
    codes: Vec<Code>,
    by_name: HashMap<String, usize>,
    /// `(child, parent, row)`, in file order.
    edges: Vec<(usize, usize, usize)>,
    /// The edges a child's own row gave (the others come from paths).
    placed: HashSet<(usize, usize)>,
    /// Parent names as written, checked once every row is read.
    pending_parents: Vec<(usize, String, usize)>,
    /// The depth outline: the last code seen at each depth.
    outline: Vec<usize>,
    /// The depth the outline starts at (0 or 1).
    depth_base: Option<usize>,
    codebook: Option<(String, usize)>,
}

impl<'a> Builder<'a> {
    fn new(columns: &'a Columns, levels: &'a [Level]) -> Self {
        Builder {
            columns,
            levels,
            codes: Vec::new(),
            by_name: HashMap::new(),
            edges: Vec::new(),
            placed: HashSet::new(),
            pending_parents: Vec::new(),
            outline: Vec::new(),
            depth_base: None,
            codebook: None,
        }
    }

    fn bad(&self, row: usize, field: Field, reason: String) -> SheetError {
        SheetError::BadRow {
            row,
            column: self.columns.header(field),
            reason,
        }
    }

    fn add_row(&mut self, row: usize, cells: &[String]) -> Result<(), SheetError> {
        let cols = self.columns;
        if let Some(book) = cols.get(cells, Field::Codebook) {
            match &self.codebook {
                None => self.codebook = Some((book.to_owned(), row)),
                Some((first, at)) if first != book => {
                    return Err(self.bad(
                        row,
                        Field::Codebook,
                        format!(
                            "the file holds more than one codebook ({first:?} from row {at}, {book:?} here): keep the rows of one"
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        let path = cols.get(cells, Field::Path).map(split_path);
        let name = match (cols.get(cells, Field::Name), &path) {
            (Some(name), _) => name.to_owned(),
            (None, Some(segments)) => segments.last().cloned().unwrap_or_default(),
            (None, None) => {
                let field = if cols.at.contains_key(&Field::Name) {
                    Field::Name
                } else {
                    Field::Path
                };
                return Err(self.bad(
                    row,
                    field,
                    "this row has no code name: fill it in, or delete the row".into(),
                ));
            }
        };
        let name = clean(&name);
        if name.is_empty() {
            return Err(self.bad(row, Field::Name, "the code name is empty".into()));
        }
        if name.chars().count() > 200 {
            return Err(self.bad(
                row,
                Field::Name,
                "the code name is longer than 200 characters: shorten it (put the rest in the definition)".into(),
            ));
        }
        let index = self.code(&name, row, cells)?;
        if let Some(segments) = path {
            self.place_by_path(index, &name, segments, row)?;
        } else if let Some(parent) = cols.get(cells, Field::Parent) {
            let parent = split_path(parent).pop().unwrap_or_default();
            self.pending_parents.push((index, clean(&parent), row));
        } else if cols.at.contains_key(&Field::Depth) {
            self.place_by_depth(index, row, cells)?;
        }
        Ok(())
    }

    /// Returns the index of the code named `name`, creating it or checking
    /// that this row describes it as earlier rows did.
    fn code(&mut self, name: &str, row: usize, cells: &[String]) -> Result<usize, SheetError> {
        let fields = self.row_fields(row, cells)?;
        match self.by_name.get(&name.to_lowercase()) {
            Some(&index) => self.same_code(index, name, row, fields),
            None => Ok(self.new_code(name, row, fields)),
        }
    }

    /// Returns a row's descriptive cells, its level and colour checked.
    fn row_fields<'r>(&self, row: usize, cells: &'r [String]) -> Result<RowFields<'r>, SheetError> {
        let cols = self.columns;
        let level = cols.get(cells, Field::Level);
        let rank = match level {
            Some(word) => Some(resolve_level(word, self.levels).ok_or_else(|| {
                let names: Vec<&str> = self.levels.iter().map(|l| l.name.as_str()).collect();
                self.bad(
                    row,
                    Field::Level,
                    format!(
                        "unknown level {word:?}: the study's levels are {} (or their numbers, 1 = lowest)",
                        names.join(", ")
                    ),
                )
            })?),
            None => None,
        };
        let colour = match cols.get(cells, Field::Colour) {
            Some(c) => Some(colour(c).ok_or_else(|| {
                self.bad(
                    row,
                    Field::Colour,
                    format!("colour {c:?} is not of the form #rrggbb (e.g. #1f77b4)"),
                )
            })?),
            None => None,
        };
        let texts = [
            Field::Definition,
            Field::Inclusion,
            Field::Exclusion,
            Field::Example,
            Field::Guid,
        ]
        .map(|field| (field, cols.get(cells, field)));
        Ok(RowFields {
            level,
            rank,
            colour,
            texts,
        })
    }

    /// Adds the code a row describes first and returns its index.
    fn new_code(&mut self, name: &str, row: usize, fields: RowFields) -> usize {
        let RowFields {
            level,
            rank,
            colour,
            texts,
        } = fields;
        let mut given_on = HashMap::new();
        for (field, value) in &texts {
            if value.is_some() {
                given_on.insert(*field, row);
            }
        }
        if rank.is_some() {
            given_on.insert(Field::Level, row);
        }
        if colour.is_some() {
            given_on.insert(Field::Colour, row);
        }
        let [definition, inclusion, exclusion, example, guid] =
            texts.map(|(_, v)| v.map(str::to_owned));
        self.codes.push(Code {
            entry: CodebookEntry {
                name: name.to_owned(),
                level: level.map(str::to_owned),
                definition,
                inclusion,
                exclusion,
                example,
                colour,
                guid,
                children: Vec::new(),
            },
            row,
            rank,
            given_on,
            own_row: None,
        });
        self.by_name
            .insert(name.to_lowercase(), self.codes.len() - 1);
        self.codes.len() - 1
    }

    /// Completes the code at `index` with what a later row gives that
    /// earlier ones did not, once every field given agrees with them.
    fn same_code(
        &mut self,
        index: usize,
        name: &str,
        row: usize,
        fields: RowFields,
    ) -> Result<usize, SheetError> {
        let updates = self.agreeing(index, name, row, &fields)?;
        let code = &mut self.codes[index];
        for (field, value) in updates {
            code.given_on.insert(field, row);
            let slot = match field {
                Field::Definition => &mut code.entry.definition,
                Field::Inclusion => &mut code.entry.inclusion,
                Field::Exclusion => &mut code.entry.exclusion,
                _ => &mut code.entry.example,
            };
            *slot = Some(value);
        }
        if code.rank.is_none() && fields.rank.is_some() {
            code.rank = fields.rank;
            code.entry.level = fields.level.map(str::to_owned);
            code.given_on.insert(Field::Level, row);
        }
        if code.entry.colour.is_none() && fields.colour.is_some() {
            code.entry.colour = fields.colour;
            code.given_on.insert(Field::Colour, row);
        }
        Ok(index)
    }

    /// Returns the text fields this row gives the code at `index` for the
    /// first time, or the error naming the earlier row a field disagrees
    /// with (texts compared with white space squeezed).
    fn agreeing(
        &self,
        index: usize,
        name: &str,
        row: usize,
        fields: &RowFields,
    ) -> Result<Vec<(Field, String)>, SheetError> {
        let agree = |a: &str, b: &str| a.split_whitespace().eq(b.split_whitespace());
        let code = &self.codes[index];
        let first = |field: Field| code.given_on.get(&field).copied().unwrap_or(code.row);
        let mut updates: Vec<(Field, String)> = Vec::new();
        for (field, value) in fields.texts.iter().filter(|(f, _)| *f != Field::Guid) {
            let Some(value) = value else { continue };
            let kept = match field {
                Field::Definition => &code.entry.definition,
                Field::Inclusion => &code.entry.inclusion,
                Field::Exclusion => &code.entry.exclusion,
                _ => &code.entry.example,
            };
            match kept {
                Some(k) if !agree(k, value) => {
                    return Err(self.bad(
                        row,
                        *field,
                        format!(
                            "code {name:?} is also on row {} with another {}: a code is one code wherever it appears; make the rows agree, or rename one of them",
                            first(*field),
                            self.columns.header(*field)
                        ),
                    ));
                }
                Some(_) => {}
                None => updates.push((*field, (*value).to_owned())),
            }
        }
        if let (Some(r), Some(k)) = (fields.rank, code.rank)
            && r != k
        {
            return Err(self.bad(
                row,
                Field::Level,
                format!(
                    "code {name:?} is also on row {} with another level: make the rows agree",
                    first(Field::Level)
                ),
            ));
        }
        if let (Some(c), Some(k)) = (&fields.colour, &code.entry.colour)
            && c != k
        {
            return Err(self.bad(
                row,
                Field::Colour,
                format!(
                    "code {name:?} is also on row {} with another colour: make the rows agree",
                    first(Field::Colour)
                ),
            ));
        }
        Ok(updates)
    }

    /// Places a code under the last ancestor of its path, creating bare
    /// ancestors the file does not list.
    fn place_by_path(
        &mut self,
        index: usize,
        name: &str,
        mut segments: Vec<String>,
        row: usize,
    ) -> Result<(), SheetError> {
        // A path may end with the code itself or stop at its parent; when
        // it ends with the name (which may itself hold " / "), the rest is
        // the parent's path.
        let joined = segments.join(" / ");
        if fold(&joined) == fold(name) {
            return Ok(());
        }
        let suffix = format!(" / {name}");
        if fold(&joined).ends_with(&fold(&suffix)) {
            let keep = joined.len() - suffix.len();
            segments = split_path(joined.get(..keep).unwrap_or_default());
        }
        if segments.len() > MAX_DEPTH {
            return Err(self.bad(
                row,
                Field::Path,
                format!(
                    "the path is {} codes deep: the study's tree cannot hold it",
                    segments.len()
                ),
            ));
        }
        let mut parent: Option<usize> = None;
        for segment in segments {
            let segment = clean(&segment);
            if segment.is_empty() {
                return Err(self.bad(
                    row,
                    Field::Path,
                    "the path has an empty step (two separators in a row)".into(),
                ));
            }
            let at = match self.by_name.get(&segment.to_lowercase()) {
                Some(&i) => i,
                None => {
                    self.codes.push(Code {
                        entry: CodebookEntry {
                            name: segment.clone(),
                            ..CodebookEntry::default()
                        },
                        row,
                        rank: None,
                        given_on: HashMap::new(),
                        own_row: None,
                    });
                    self.by_name
                        .insert(segment.to_lowercase(), self.codes.len() - 1);
                    self.codes.len() - 1
                }
            };
            if let Some(p) = parent {
                self.link(at, p, row, false);
            }
            parent = Some(at);
        }
        if let Some(p) = parent {
            self.link(index, p, row, true);
        }
        Ok(())
    }

    fn place_by_depth(
        &mut self,
        index: usize,
        row: usize,
        cells: &[String],
    ) -> Result<(), SheetError> {
        let Some(word) = self.columns.get(cells, Field::Depth) else {
            return Err(self.bad(
                row,
                Field::Depth,
                "the depth is empty: give 1 for a top-level code".into(),
            ));
        };
        let Ok(depth) = word.parse::<usize>() else {
            return Err(self.bad(
                row,
                Field::Depth,
                format!("depth {word:?} is not a whole number: give 1 for a top-level code, 2 below it, and so on"),
            ));
        };
        let base = *self.depth_base.get_or_insert(depth.min(1));
        let Some(level) = depth.checked_sub(base) else {
            return Err(self.bad(
                row,
                Field::Depth,
                format!("depth {depth} is below the first row's {base}"),
            ));
        };
        if level > self.outline.len() || level >= MAX_DEPTH {
            return Err(self.bad(
                row,
                Field::Depth,
                format!(
                    "depth {depth} follows depth {}: a code can only go one step deeper than the row above",
                    self.outline.len() + base - 1
                ),
            ));
        }
        self.outline.truncate(level);
        if let Some(&parent) = self.outline.last() {
            self.link(index, parent, row, true);
        }
        self.outline.push(index);
        Ok(())
    }

    /// Records that `child` sits under `parent`; `own` when the child's own
    /// row says so (not a path merely passing through it).
    fn link(&mut self, child: usize, parent: usize, row: usize, own: bool) {
        if own {
            self.codes[child].own_row.get_or_insert(row);
            self.placed.insert((child, parent));
        }
        if !self
            .edges
            .iter()
            .any(|&(c, p, _)| c == child && p == parent)
        {
            self.edges.push((child, parent, row));
        }
    }

    fn finish(mut self) -> Result<Vec<CodebookEntry>, SheetError> {
        for (child, parent, row) in std::mem::take(&mut self.pending_parents) {
            let Some(&p) = self.by_name.get(&parent.to_lowercase()) else {
                return Err(self.bad(
                    row,
                    Field::Parent,
                    format!("no row defines the parent code {parent:?}: add a row for it, or correct the name"),
                ));
            };
            if p == child {
                return Err(self.bad(row, Field::Parent, "a code cannot be its own parent".into()));
            }
            self.link(child, p, row, true);
        }
        let depth = self.check_acyclic()?;
        if depth > MAX_DEPTH {
            return Err(SheetError::Unreadable(format!(
                "the codes nest {depth} deep: the study's tree cannot hold it"
            )));
        }
        self.check_levels()?;
        // Each code goes once under its primary parent (the first row that
        // placed it), so the store keeps that parent for display; each
        // further parent is then added as a bare path from the top down to
        // the code, which `plan` merges into a link by name.
        let n = self.codes.len();
        let mut primary: Vec<Option<usize>> = vec![None; n];
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut further = Vec::new();
        // The primary parent is the first one the code's own rows give,
        // else the first path through it.
        for &(c, p, _) in &self.edges {
            if self.placed.contains(&(c, p)) && primary[c].is_none() {
                primary[c] = Some(p);
            }
        }
        for &(c, p, _) in &self.edges {
            if primary[c].is_none() {
                primary[c] = Some(p);
            }
            if primary[c] == Some(p) {
                children[p].push(c);
            } else {
                further.push((c, p));
            }
        }
        let place = |i: &usize| self.codes[*i].own_row.unwrap_or(self.codes[*i].row);
        for kids in &mut children {
            kids.sort_by_key(place);
        }
        let mut roots: Vec<usize> = (0..n).filter(|&i| primary[i].is_none()).collect();
        roots.sort_by_key(place);
        let mut forest: Vec<CodebookEntry> = roots
            .into_iter()
            .map(|root| self.entry(root, &children))
            .collect();
        for (child, parent) in further {
            let bare = |i: usize| CodebookEntry {
                name: self.codes[i].entry.name.clone(),
                ..CodebookEntry::default()
            };
            let mut chain = bare(child);
            let mut at = Some(parent);
            // Bounded: the depth check above caps every primary chain.
            while let Some(i) = at {
                let mut up = bare(i);
                up.children.push(chain);
                chain = up;
                at = primary[i];
            }
            forest.push(chain);
        }
        Ok(forest)
    }

    /// Returns a code's entry with the subtree of codes whose primary
    /// parent it is. Recursion depth is bounded by the depth check in
    /// `finish`.
    fn entry(&self, i: usize, children: &[Vec<usize>]) -> CodebookEntry {
        let mut entry = self.codes[i].entry.clone();
        entry.children = children[i]
            .iter()
            .map(|&c| self.entry(c, children))
            .collect();
        entry
    }

    /// Refuses a cycle through the parents, naming a row on it, and
    /// returns the deepest nesting.
    fn check_acyclic(&self) -> Result<usize, SheetError> {
        let n = self.codes.len();
        let mut parents_left = vec![0usize; n];
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
        for &(c, p, _) in &self.edges {
            parents_left[c] += 1;
            children[p].push(c);
        }
        let mut depth = vec![1usize; n];
        let mut ready: Vec<usize> = (0..n).filter(|&i| parents_left[i] == 0).collect();
        let mut done = 0;
        while let Some(i) = ready.pop() {
            done += 1;
            for &c in &children[i] {
                depth[c] = depth[c].max(depth[i] + 1);
                parents_left[c] -= 1;
                if parents_left[c] == 0 {
                    ready.push(c);
                }
            }
        }
        if done < n {
            let &(child, parent, row) = self
                .edges
                .iter()
                .find(|(c, _, _)| parents_left[*c] > 0)
                .unwrap_or(&self.edges[0]);
            let field = if self.columns.at.contains_key(&Field::Path) {
                Field::Path
            } else {
                Field::Parent
            };
            return Err(self.bad(
                row,
                field,
                format!(
                    "putting {:?} under {:?} closes a cycle (a code would sit under itself): fix the parent",
                    self.codes[child].entry.name, self.codes[parent].entry.name
                ),
            ));
        }
        Ok(depth.into_iter().max().unwrap_or(0))
    }

    /// Refuses a code whose given level is not below its parent's.
    fn check_levels(&self) -> Result<(), SheetError> {
        for &(c, p, row) in &self.edges {
            if let (Some(child), Some(parent)) = (self.codes[c].rank, self.codes[p].rank)
                && child >= parent
            {
                let name = |rank: i64| {
                    self.levels
                        .iter()
                        .find(|l| l.rank == rank)
                        .map_or_else(String::new, |l| l.name.clone())
                };
                return Err(self.bad(
                    row,
                    Field::Level,
                    format!(
                        "{:?} ({}) cannot sit under {:?} ({}): a parent must be of a higher level",
                        self.codes[c].entry.name,
                        name(child),
                        self.codes[p].entry.name,
                        name(parent)
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Splits a path at ` / ` (the export's separator), else at `>`, else `/`,
/// else `\`.
fn split_path(path: &str) -> Vec<String> {
    let separator = [" / ", ">", "/", "\\"]
        .into_iter()
        .find(|s| path.contains(s));
    match separator {
        Some(s) => path.split(s).map(|p| p.trim().to_owned()).collect(),
        None => vec![path.trim().to_owned()],
    }
}

/// Returns the name with runs of white space made one space.
fn clean(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Returns `#rrggbb` for `#rrggbb`, `rrggbb` or `#RGB`.
fn colour(text: &str) -> Option<String> {
    let hex = text.trim().trim_start_matches('#').to_ascii_lowercase();
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    match hex.len() {
        6 => Some(format!("#{hex}")),
        3 => Some(format!(
            "#{}",
            hex.chars().flat_map(|c| [c, c]).collect::<String>()
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels() -> Vec<Level> {
        ["idea", "sub-theme", "theme", "meta-theme"]
            .iter()
            .enumerate()
            .map(|(i, n)| Level {
                rank: i as i64 + 1,
                name: (*n).into(),
            })
            .collect()
    }

    fn read(csv: &str) -> Result<ReadCodebook, SheetError> {
        read_codebook_sheet(SheetKind::Csv, csv.as_bytes(), &levels())
    }

    /// Returns the forest as `path (level)` lines, depth first.
    fn outline(entries: &[CodebookEntry]) -> Vec<String> {
        fn walk(e: &CodebookEntry, prefix: &str, out: &mut Vec<String>) {
            let path = if prefix.is_empty() {
                e.name.clone()
            } else {
                format!("{prefix} / {}", e.name)
            };
            out.push(format!("{path} ({})", e.level.as_deref().unwrap_or("-")));
            for c in &e.children {
                walk(c, &path, out);
            }
        }
        let mut out = Vec::new();
        for e in entries {
            walk(e, "", &mut out);
        }
        out
    }

    #[test]
    fn a_french_codebook_with_paths_is_read() {
        let file = "Chemin;Niveau;Définition;Critères d'inclusion;Remarques\n\
                    Relation;thème;Le lien soignant-usager;;à revoir\n\
                    Relation > Confiance;idée;Se fier;Dit se fier;\n\
                    Relation > Méfiance;idée;;;\n";
        let book = read(file).unwrap();
        assert_eq!(
            outline(&book.entries),
            [
                "Relation (thème)",
                "Relation / Confiance (idée)",
                "Relation / Méfiance (idée)"
            ]
        );
        assert_eq!(
            book.entries[0].children[0].inclusion.as_deref(),
            Some("Dit se fier")
        );
        assert_eq!(book.ignored_columns, ["Remarques"]);
        assert_eq!(book.rows, 3);
    }

    #[test]
    fn parent_and_depth_columns_give_the_same_tree() {
        let by_parent =
            read("code,parent\nConfiance,Relation\nRelation,\nMéfiance,Relation\n").unwrap();
        let by_depth = read("name,depth\nRelation,1\nConfiance,2\nMéfiance,2\n").unwrap();
        let bare_ancestors = read("path\nRelation / Confiance\nRelation / Méfiance\n").unwrap();
        let want = [
            "Relation (-)",
            "Relation / Confiance (-)",
            "Relation / Méfiance (-)",
        ];
        assert_eq!(outline(&by_parent.entries), want);
        assert_eq!(outline(&by_depth.entries), want);
        assert_eq!(outline(&bare_ancestors.entries), want);
    }

    #[test]
    fn a_code_under_two_parents_appears_under_each() {
        let book = read("path,definition\nA / C,def\nB / C,def\nA / C / D,\n").unwrap();
        // C sits under A (its first row); a bare path then adds B.
        assert_eq!(
            outline(&book.entries),
            [
                "A (-)",
                "A / C (-)",
                "A / C / D (-)",
                "B (-)",
                "B (-)",
                "B / C (-)"
            ]
        );
        let codes = crate::codebook::plan(&book.entries, &levels()).unwrap();
        let c = codes.iter().find(|c| c.name == "C").unwrap();
        let parents: Vec<&str> = c.parents.iter().map(|&p| codes[p].name.as_str()).collect();
        assert_eq!(parents, ["A", "B"]);
    }

    #[test]
    fn bad_rows_are_named_by_row_and_column() {
        let err = read("code;niveau\nA;thème\nB;catégorie\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("row 3, column \"niveau\": unknown level \"catégorie\""),
            "{err}"
        );
        let err = read("code,definition\n\nA,\"un\ndeux\"\nA,trois\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("row 4, column \"definition\": code \"A\" is also on row 3"),
            "{err}"
        );
        let err = read("code,parent\nA,B\nB,A\n").unwrap_err().to_string();
        assert!(err.contains("closes a cycle"), "{err}");
        assert!(err.starts_with("row "), "{err}");
        let err = read("code,parent\nA,Z\n").unwrap_err().to_string();
        assert!(
            err.contains("row 2, column \"parent\": no row defines the parent code \"Z\""),
            "{err}"
        );
        let err = read("code,depth\nA,1\nB,3\n").unwrap_err().to_string();
        assert!(err.starts_with("row 3, column \"depth\""), "{err}");
        let err = read("code,level\nA,idea\nA > B,theme\n");
        assert!(
            err.is_ok(),
            "a name holding > is a name when a code column exists"
        );
        let err = read("path,level\nA,idea\nA > B,theme\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot sit under"), "{err}");
        let err = read("code,colour\nA,bleu\n").unwrap_err().to_string();
        assert!(err.starts_with("row 2, column \"colour\""), "{err}");
        let err = read("Remarques,Auteur\nx,y\n").unwrap_err().to_string();
        assert!(err.contains("\"Remarques\", \"Auteur\""), "{err}");
    }

    #[test]
    fn an_export_of_several_codebooks_is_refused() {
        let file = "codebook,code path,code,level\namira,A,A,theme\nbruno,B,B,theme\n";
        let err = read(file).unwrap_err().to_string();
        assert!(
            err.starts_with("row 3, column \"codebook\": the file holds more than one codebook"),
            "{err}"
        );
        let one = read("codebook,code path,code\namira,A,A\namira,A / B,B\n").unwrap();
        assert_eq!(outline(&one.entries), ["A (-)", "A / B (-)"]);
    }

    #[test]
    fn windows_1252_and_neutralised_cells_are_read() {
        let bytes = b"code;d\xe9finition\nM\xe9fiance;'=pas une formule\n";
        let book = read_codebook_sheet(SheetKind::Csv, bytes, &levels()).unwrap();
        assert_eq!(book.entries[0].name, "Méfiance");
        assert_eq!(
            book.entries[0].definition.as_deref(),
            Some("=pas une formule")
        );
    }

    #[test]
    fn damaged_workbooks_are_refused() {
        let err =
            read_codebook_sheet(SheetKind::Workbook, b"PK\x03\x04 nope", &levels()).unwrap_err();
        assert!(err.to_string().contains("save it again"), "{err}");
    }
}
