//! Spans: `[start, end)` ranges in chars of a source's text.

use serde::{Deserialize, Serialize};

use crate::CoreError;

/// A `[start, end)` range in Unicode scalar values of a source's plain text.
///
/// A `Span` is never reversed: the constructor refuses `start > end`, so code
/// holding one never has to check again. Whether it fits a given text is
/// checked by [`Span::within`], since a span alone does not know its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "(usize, usize)", into = "(usize, usize)")]
pub struct Span {
    start: usize,
    end: usize,
}

impl Span {
    /// Returns the span `[start, end)`, or an error when `start > end`.
    pub fn new(start: usize, end: usize) -> Result<Self, CoreError> {
        if start > end {
            return Err(CoreError::ReversedSpan { start, end });
        }
        Ok(Self { start, end })
    }

    /// Returns the first char offset inside the span.
    pub fn start(self) -> usize {
        self.start
    }

    /// Returns the char offset just past the span.
    pub fn end(self) -> usize {
        self.end
    }

    /// Returns the number of chars the span covers.
    pub fn len(self) -> usize {
        self.end - self.start
    }

    /// Returns true when the span covers no char.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// Returns the span unchanged when it fits a text of `len` chars.
    pub fn within(self, len: usize) -> Result<Self, CoreError> {
        if self.end > len {
            return Err(CoreError::SpanOutOfText {
                start: self.start,
                end: self.end,
                len,
            });
        }
        Ok(self)
    }

    /// Returns true when the two spans share at least one char.
    pub fn overlaps(self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}

impl TryFrom<(usize, usize)> for Span {
    type Error = CoreError;

    fn try_from((start, end): (usize, usize)) -> Result<Self, Self::Error> {
        Span::new(start, end)
    }
}

impl From<Span> for (usize, usize) {
    fn from(span: Span) -> Self {
        (span.start, span.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reversed_span_is_refused() {
        assert_eq!(
            Span::new(5, 3),
            Err(CoreError::ReversedSpan { start: 5, end: 3 })
        );
    }

    #[test]
    fn span_outside_text_is_refused() {
        let span = Span::new(2, 12).unwrap();
        assert!(span.within(12).is_ok());
        assert_eq!(
            span.within(11),
            Err(CoreError::SpanOutOfText {
                start: 2,
                end: 12,
                len: 11
            })
        );
    }

    #[test]
    fn overlap_is_half_open() {
        let a = Span::new(0, 5).unwrap();
        assert!(!a.overlaps(Span::new(5, 9).unwrap()));
        assert!(a.overlaps(Span::new(4, 9).unwrap()));
    }
}
