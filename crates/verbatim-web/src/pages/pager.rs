//! Pages of a long list: which rows `?page=N` shows and the links to the
//! pages either side.
//!
//! Why: a study of 10,000 sources listed on one page weighs megabytes and
//! takes its server time in building rows no one reads. The sources and
//! participants pages show [`PAGE_ROWS`] rows at a time; their counts
//! stay study-wide.

use serde::Deserialize;

/// Rows on one page of a list.
pub const PAGE_ROWS: usize = 100;

/// The `?page=N` of a listing (1-based; missing means 1).
#[derive(Debug, Default, Deserialize)]
pub struct PageParam {
    /// The page asked for.
    pub page: Option<usize>,
}

/// One page of a list of `total` rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pager {
    /// The page shown (1-based), within `1..=pages`.
    pub page: usize,
    /// How many pages there are (at least 1).
    pub pages: usize,
    /// How many rows the list has.
    pub total: usize,
    /// The path the links point to (`/sources`).
    pub path: &'static str,
}

impl Pager {
    /// Returns the page `asked` of `total` rows, the last page when it
    /// asks past the end and the first when it asks for page 0.
    pub fn new(path: &'static str, asked: Option<usize>, total: usize) -> Self {
        let pages = total.div_ceil(PAGE_ROWS).max(1);
        Self {
            page: asked.unwrap_or(1).clamp(1, pages),
            pages,
            total,
            path,
        }
    }

    /// Returns the rows of the list this page shows.
    pub fn range(&self) -> std::ops::Range<usize> {
        let start = (self.page - 1) * PAGE_ROWS;
        start.min(self.total)..(start + PAGE_ROWS).min(self.total)
    }

    /// Returns the previous page's number, if any.
    pub fn previous(&self) -> Option<usize> {
        (self.page > 1).then(|| self.page - 1)
    }

    /// Returns the next page's number, if any.
    pub fn next(&self) -> Option<usize> {
        (self.page < self.pages).then(|| self.page + 1)
    }

    /// Returns "101–200 of 1,234" for the rows shown.
    pub fn shown(&self) -> String {
        let r = self.range();
        if r.is_empty() {
            return format!("none of {}", self.total);
        }
        format!("{}–{} of {}", r.start + 1, r.end, self.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_every_row_once_and_clamp_what_is_asked() {
        // 250 rows by 100: pages 1, 2, 3 hold 100, 100 and 50 rows.
        let p = Pager::new("/sources", Some(3), 250);
        assert_eq!((p.pages, p.range()), (3, 200..250));
        assert_eq!((p.previous(), p.next()), (Some(2), None));
        assert_eq!(p.shown(), "201–250 of 250");
        assert_eq!(Pager::new("/sources", Some(99), 250).page, 3);
        assert_eq!(Pager::new("/sources", Some(0), 250).page, 1);
        let first = Pager::new("/sources", None, 250);
        assert_eq!(
            (first.range(), first.previous(), first.next()),
            (0..100, None, Some(2))
        );
        // No rows: one empty page.
        let empty = Pager::new("/sources", None, 0);
        assert_eq!((empty.pages, empty.range(), empty.next()), (1, 0..0, None));
        assert_eq!(empty.shown(), "none of 0");
    }
}
