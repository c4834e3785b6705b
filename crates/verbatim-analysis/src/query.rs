//! Coding queries: which passages answer `Méfiance AND "Contrôle excessif"`.
//!
//! Researchers ask questions that cross codes: where do two ideas meet,
//! where is one present without the other, what is said just before what.
//! A query is parsed once into an expression tree ([`parse`]), then
//! evaluated ([`Query::evaluate`]) on the *coverage* of each code it names:
//! per source, the sorted, merged runs of text its codings cover. The
//! caller decides whose codings count (one coder, or every coder after
//! reveal) and which sources (attribute filters), so this module does no
//! I/O and never sees a blind layer it should not.
//!
//! # Syntax
//!
//! ```text
//! query   := or
//! or      := and ("OR" and)*
//! and     := near (("AND" | "NOT") near)*
//! near    := atom (("NEAR/" N | "PRECEDES") atom)*
//! atom    := CODE | "quoted code" | «code» | "(" or ")"
//! ```
//!
//! Operators are upper case (`ET`, `OU`, `SAUF`, `PRES/N` and `PRECEDE`
//! are the French spellings); a code whose name contains spaces,
//! parentheses or an operator word is quoted.
//!
//! - `A AND B`: the text both cover (with `whole`, the passages of either
//!   that overlap one of the other, in full);
//! - `A OR B`: the text either covers;
//! - `A NOT B`: the passages of A that overlap no passage of B;
//! - `A NEAR/N B`: the passages of A and of B lying within N words of a
//!   passage of the other, in the same source;
//! - `A PRECEDES B`: the passages of A followed, later in the same speaker
//!   turn, by a passage of B.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use thiserror::Error;

use crate::intervals::{self, Interval};

/// Why a query could not be read or answered.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QueryError {
    /// The text is not a well-formed query; `position` counts chars from 0.
    #[error("malformed query at character {}: {message}", position + 1)]
    Syntax {
        /// Where the problem is, in chars from the start of the query.
        position: usize,
        /// What is wrong there.
        message: String,
    },
    /// Parentheses nest deeper than [`MAX_DEPTH`], or one query chains more
    /// than [`MAX_OPERATORS`] operators; `position` is where the refused
    /// level or operator starts, in chars from 0.
    #[error("query {what} at column {}", position + 1)]
    TooLarge {
        /// Where the refused level or operator starts.
        position: usize,
        /// What is too large, e.g. "nested deeper than 64 levels".
        what: String,
    },
    /// The query names a code the caller could not resolve.
    #[error("unknown code {name:?} at character {}", position + 1)]
    UnknownCode {
        /// The name as written.
        name: String,
        /// Where it starts, in chars from 0.
        position: usize,
    },
}

impl QueryError {
    /// Returns the char position (from 0) the error points at.
    pub fn position(&self) -> usize {
        match self {
            QueryError::Syntax { position, .. }
            | QueryError::TooLarge { position, .. }
            | QueryError::UnknownCode { position, .. } => *position,
        }
    }
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    root: Expr,
}

/// A node of a parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// The coverage of a code, by name, with the char position of its name.
    Code(String, usize),
    /// Both operands.
    And(Box<Expr>, Box<Expr>),
    /// Either operand.
    Or(Box<Expr>, Box<Expr>),
    /// Passages of the left not overlapping the right.
    Not(Box<Expr>, Box<Expr>),
    /// Passages of each within this many words of the other.
    Near(Box<Expr>, Box<Expr>, usize),
    /// Passages of the left followed in the same turn by the right.
    Precedes(Box<Expr>, Box<Expr>),
}

/// Text covered in each source: source id → merged intervals.
///
/// Sources with nothing covered are absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    by_source: BTreeMap<i64, Vec<Interval>>,
}

impl Coverage {
    /// Builds a coverage from `(source, start, end)` spans in any order.
    pub fn from_spans(spans: impl IntoIterator<Item = (i64, usize, usize)>) -> Self {
        let mut raw: BTreeMap<i64, Vec<Interval>> = BTreeMap::new();
        for (source, s, e) in spans {
            raw.entry(source).or_default().push((s, e));
        }
        let by_source = raw
            .into_iter()
            .map(|(k, v)| (k, intervals::merge(v)))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        Coverage { by_source }
    }

    /// Returns the merged intervals of one source (empty when none).
    pub fn source(&self, source: i64) -> &[Interval] {
        self.by_source.get(&source).map_or(&[], Vec::as_slice)
    }

    /// Returns the passages, by source then position.
    pub fn passages(&self) -> Vec<Passage> {
        self.by_source
            .iter()
            .flat_map(|(&source, v)| {
                v.iter()
                    .map(move |&(start, end)| Passage { source, start, end })
            })
            .collect()
    }

    /// Returns the number of chars covered across sources.
    pub fn chars(&self) -> usize {
        self.by_source.values().map(|v| intervals::covered(v)).sum()
    }

    /// Returns true when nothing is covered.
    pub fn is_empty(&self) -> bool {
        self.by_source.is_empty()
    }

    /// Keeps only the sources `keep` accepts.
    pub fn retain_sources(&mut self, mut keep: impl FnMut(i64) -> bool) {
        self.by_source.retain(|&k, _| keep(k));
    }

    fn combine(
        &self,
        other: &Coverage,
        both_needed: bool,
        mut f: impl FnMut(i64, &[Interval], &[Interval]) -> Vec<Interval>,
    ) -> Coverage {
        let mut keys: Vec<i64> = self.by_source.keys().copied().collect();
        if !both_needed {
            keys.extend(other.by_source.keys().copied());
            keys.sort_unstable();
            keys.dedup();
        }
        let by_source = keys
            .into_iter()
            .map(|k| (k, f(k, self.source(k), other.source(k))))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        Coverage { by_source }
    }
}

/// A passage of a query's result: a span of one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Passage {
    /// The source's id.
    pub source: i64,
    /// First char.
    pub start: usize,
    /// Char just past the passage.
    pub end: usize,
}

/// What a query is evaluated against.
#[derive(Debug, Default)]
pub struct Context {
    /// Each code's coverage, by the name the query uses.
    pub codes: HashMap<String, Coverage>,
    /// Word start offsets (chars, sorted) of each source, for `NEAR`.
    /// A source absent here counts every char as a word boundary.
    pub words: HashMap<i64, Vec<usize>>,
    /// Speaker turns (sorted spans) of each source, for `PRECEDES`.
    pub turns: HashMap<i64, Vec<Interval>>,
    /// `AND` returns the overlapping passages whole, not the shared text.
    pub whole: bool,
}

/// Returns the sorted char offsets where words start in `text`: a word is
/// a run of alphanumeric chars (apostrophes and hyphens inside a word keep
/// it whole).
pub fn word_starts(text: &str) -> Vec<usize> {
    let joiner = |c: char| matches!(c, '\'' | '’' | '-');
    let mut out = Vec::new();
    // The two chars before the current one.
    let (mut p1, mut p2) = (' ', ' ');
    for (i, c) in text.chars().enumerate() {
        let continues = p1.is_alphanumeric() || (joiner(p1) && p2.is_alphanumeric());
        if c.is_alphanumeric() && !continues {
            out.push(i);
        }
        p2 = p1;
        p1 = c;
    }
    out
}

/// Parses a query.
pub fn parse(text: &str) -> Result<Query, QueryError> {
    let tokens = tokenize(text)?;
    let operator = |t: &&Token| {
        matches!(
            t.kind,
            Kind::And | Kind::Or | Kind::Not | Kind::Near(_) | Kind::Precedes
        )
    };
    if let Some(t) = tokens.iter().filter(operator).nth(MAX_OPERATORS) {
        return Err(QueryError::TooLarge {
            position: t.pos,
            what: format!("holds more than {MAX_OPERATORS} operators"),
        });
    }
    let mut p = Parser {
        tokens,
        at: 0,
        len: text.chars().count(),
        depth: 0,
    };
    let root = p.or()?;
    if let Some(t) = p.peek() {
        return Err(QueryError::Syntax {
            position: t.pos,
            message: format!("unexpected {}: expected an operator or the end", t.kind),
        });
    }
    Ok(Query { root })
}

impl Query {
    /// Returns the expression tree.
    pub fn expr(&self) -> &Expr {
        &self.root
    }

    /// Returns the code names the query uses, each with the position of its
    /// first mention, in order of appearance.
    pub fn code_names(&self) -> Vec<(String, usize)> {
        fn walk(e: &Expr, out: &mut Vec<(String, usize)>) {
            match e {
                Expr::Code(name, pos) => {
                    if !out.iter().any(|(n, _)| n == name) {
                        out.push((name.clone(), *pos));
                    }
                }
                Expr::And(a, b)
                | Expr::Or(a, b)
                | Expr::Not(a, b)
                | Expr::Near(a, b, _)
                | Expr::Precedes(a, b) => {
                    walk(a, out);
                    walk(b, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.root, &mut out);
        out
    }

    /// Returns true when the query counts words (it uses `NEAR`), so the
    /// caller knows to pass word offsets.
    pub fn uses_near(&self) -> bool {
        fn walk(e: &Expr) -> bool {
            match e {
                Expr::Code(..) => false,
                Expr::Near(..) => true,
                Expr::And(a, b) | Expr::Or(a, b) | Expr::Not(a, b) | Expr::Precedes(a, b) => {
                    walk(a) || walk(b)
                }
            }
        }
        walk(&self.root)
    }

    /// Returns the passages answering the query, merged, by source then
    /// position.
    pub fn evaluate(&self, ctx: &Context) -> Result<Vec<Passage>, QueryError> {
        Ok(self.coverage(ctx)?.passages())
    }

    /// Returns the text answering the query, as a coverage.
    pub fn coverage(&self, ctx: &Context) -> Result<Coverage, QueryError> {
        eval(&self.root, ctx)
    }
}

fn eval(e: &Expr, ctx: &Context) -> Result<Coverage, QueryError> {
    Ok(match e {
        Expr::Code(name, pos) => {
            ctx.codes
                .get(name)
                .cloned()
                .ok_or_else(|| QueryError::UnknownCode {
                    name: name.clone(),
                    position: *pos,
                })?
        }
        Expr::Or(a, b) => {
            eval(a, ctx)?.combine(&eval(b, ctx)?, false, |_, x, y| intervals::union(x, y))
        }
        Expr::And(a, b) => {
            let (a, b) = (eval(a, ctx)?, eval(b, ctx)?);
            if ctx.whole {
                a.combine(&b, true, |_, x, y| {
                    intervals::union(
                        &intervals::filter_overlapping(x, y, true),
                        &intervals::filter_overlapping(y, x, true),
                    )
                })
            } else {
                a.combine(&b, true, |_, x, y| intervals::intersect(x, y))
            }
        }
        Expr::Not(a, b) => eval(a, ctx)?.combine(&eval(b, ctx)?, true, |_, x, y| {
            intervals::filter_overlapping(x, y, false)
        }),
        Expr::Near(a, b, n) => {
            let (a, b) = (eval(a, ctx)?, eval(b, ctx)?);
            a.combine(&b, true, |source, x, y| {
                let words = ctx.words.get(&source);
                let measure = |l: usize, r: usize| match words {
                    Some(w) => w.partition_point(|&p| p < r) - w.partition_point(|&p| p < l),
                    None => r - l,
                };
                intervals::union(
                    &intervals::near(x, y, *n, measure),
                    &intervals::near(y, x, *n, measure),
                )
            })
        }
        Expr::Precedes(a, b) => {
            let (a, b) = (eval(a, ctx)?, eval(b, ctx)?);
            a.combine(&b, true, |source, x, y| {
                precedes(x, y, ctx.turns.get(&source).map_or(&[], Vec::as_slice))
            })
        }
    })
}

/// Returns the intervals of `a` that end before some interval of `b`
/// starts, both meeting the same turn.
fn precedes(a: &[Interval], b: &[Interval], turns: &[Interval]) -> Vec<Interval> {
    let mut out = Vec::new();
    for &(s, e) in a {
        // Turns this passage meets.
        let first = turns.partition_point(|t| t.1 <= s);
        let met = turns[first..].iter().take_while(|t| t.0 < e);
        let hit = met.into_iter().any(|&(ts, te)| {
            // A passage of b starting at or after e and before the turn ends.
            let k = b.partition_point(|x| x.0 < e);
            b.get(k).is_some_and(|x| x.0 < te && x.1 > ts)
        });
        if hit {
            out.push((s, e));
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Name(String),
    And,
    Or,
    Not,
    Near(usize),
    Precedes,
    Open,
    Close,
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Kind::Name(n) => write!(f, "code {n:?}"),
            Kind::And => f.write_str("AND"),
            Kind::Or => f.write_str("OR"),
            Kind::Not => f.write_str("NOT"),
            Kind::Near(n) => write!(f, "NEAR/{n}"),
            Kind::Precedes => f.write_str("PRECEDES"),
            Kind::Open => f.write_str("\"(\""),
            Kind::Close => f.write_str("\")\""),
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    pos: usize,
}

fn tokenize(text: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let pos = i;
        match c {
            '(' | ')' => {
                out.push(Token {
                    kind: if c == '(' { Kind::Open } else { Kind::Close },
                    pos,
                });
                i += 1;
            }
            '"' | '«' | '“' => {
                let close = match c {
                    '"' => '"',
                    '«' => '»',
                    _ => '”',
                };
                let rest = &chars[i + 1..];
                let Some(len) = rest.iter().position(|&x| x == close) else {
                    return Err(QueryError::Syntax {
                        position: pos,
                        message: format!("this quote is never closed: add {close}"),
                    });
                };
                let name: String = rest[..len].iter().collect();
                let name = name.trim().to_owned();
                if name.is_empty() {
                    return Err(QueryError::Syntax {
                        position: pos,
                        message: "an empty quoted code name".into(),
                    });
                }
                out.push(Token {
                    kind: Kind::Name(name),
                    pos,
                });
                i += len + 2;
            }
            '»' | '”' => {
                return Err(QueryError::Syntax {
                    position: pos,
                    message: format!("{c} closes a quote that was never opened"),
                });
            }
            _ => {
                let mut j = i;
                while j < chars.len()
                    && !chars[j].is_whitespace()
                    && !matches!(chars[j], '(' | ')' | '"' | '«' | '»' | '“' | '”')
                {
                    j += 1;
                }
                let word: String = chars[i..j].iter().collect();
                out.push(Token {
                    kind: keyword(&word, pos)?.unwrap_or(Kind::Name(word)),
                    pos,
                });
                i = j;
            }
        }
    }
    Ok(out)
}

/// Returns the operator a bare word spells, if any.
fn keyword(word: &str, pos: usize) -> Result<Option<Kind>, QueryError> {
    Ok(Some(match word {
        "AND" | "ET" => Kind::And,
        "OR" | "OU" => Kind::Or,
        "NOT" | "SAUF" => Kind::Not,
        "PRECEDES" | "PRECEDING" | "PRECEDE" | "PRÉCÈDE" => Kind::Precedes,
        _ => {
            let Some((head, n)) = word.split_once('/') else {
                return Ok(None);
            };
            if !matches!(head, "NEAR" | "PRES" | "PRÈS") {
                return Ok(None);
            }
            let n = n.parse::<usize>().map_err(|_| QueryError::Syntax {
                position: pos + head.chars().count() + 1,
                message: format!("{head}/ needs a number of words, like {head}/5"),
            })?;
            Kind::Near(n)
        }
    }))
}

/// How deep parentheses may nest: the parser recurses once per level, and
/// a query is user input.
pub const MAX_DEPTH: usize = 64;

/// How many operators one query may hold: a chain `A OR B OR C …` builds a
/// tree one level deeper per operator, which evaluation and drop walk
/// recursively, so the chain is bounded too (far above any hand-written
/// query).
pub const MAX_OPERATORS: usize = 1_000;

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    len: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn or(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.and()?;
        while let Some(Kind::Or) = self.peek().map(|t| &t.kind) {
            self.at += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.near()?;
        loop {
            match self.peek().map(|t| &t.kind) {
                Some(Kind::And) => {
                    self.at += 1;
                    left = Expr::And(Box::new(left), Box::new(self.near()?));
                }
                Some(Kind::Not) => {
                    self.at += 1;
                    left = Expr::Not(Box::new(left), Box::new(self.near()?));
                }
                _ => return Ok(left),
            }
        }
    }

    fn near(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.atom()?;
        loop {
            match self.peek().map(|t| t.kind.clone()) {
                Some(Kind::Near(n)) => {
                    self.at += 1;
                    left = Expr::Near(Box::new(left), Box::new(self.atom()?), n);
                }
                Some(Kind::Precedes) => {
                    self.at += 1;
                    left = Expr::Precedes(Box::new(left), Box::new(self.atom()?));
                }
                _ => return Ok(left),
            }
        }
    }

    fn atom(&mut self) -> Result<Expr, QueryError> {
        let Some(t) = self.peek().cloned() else {
            return Err(QueryError::Syntax {
                position: self.len,
                message: "the query ends where a code or \"(\" was expected".into(),
            });
        };
        self.at += 1;
        match t.kind {
            Kind::Name(name) => Ok(Expr::Code(name, t.pos)),
            Kind::Open => {
                if self.depth == MAX_DEPTH {
                    return Err(QueryError::TooLarge {
                        position: t.pos,
                        what: format!("nested deeper than {MAX_DEPTH} levels"),
                    });
                }
                self.depth += 1;
                let inner = self.or()?;
                self.depth -= 1;
                match self.peek() {
                    Some(Token {
                        kind: Kind::Close, ..
                    }) => {
                        self.at += 1;
                        Ok(inner)
                    }
                    Some(other) => Err(QueryError::Syntax {
                        position: other.pos,
                        message: format!(
                            "expected \")\" to close the \"(\" at character {}, found {}",
                            t.pos + 1,
                            other.kind
                        ),
                    }),
                    None => Err(QueryError::Syntax {
                        position: t.pos,
                        message: "this \"(\" is never closed".into(),
                    }),
                }
            }
            Kind::Not => Err(QueryError::Syntax {
                position: t.pos,
                message: "NOT needs a code on its left: write `A NOT B` (passages of A without B)"
                    .into(),
            }),
            other => Err(QueryError::Syntax {
                position: t.pos,
                message: format!("expected a code or \"(\", found {other}"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(name: &str, pos: usize) -> Box<Expr> {
        Box::new(Expr::Code(name.into(), pos))
    }

    #[test]
    fn parses_quoted_names_precedence_and_parentheses() {
        let q = parse(r#"Méfiance AND "Contrôle excessif" OR Soin"#).unwrap();
        assert_eq!(
            q.expr(),
            &Expr::Or(
                Box::new(Expr::And(
                    code("Méfiance", 0),
                    code("Contrôle excessif", 13)
                )),
                code("Soin", 36)
            )
        );
        let q = parse("a AND (b OR c) NEAR/3 d").unwrap();
        assert_eq!(
            q.expr(),
            &Expr::And(
                code("a", 0),
                Box::new(Expr::Near(
                    Box::new(Expr::Or(code("b", 7), code("c", 12))),
                    code("d", 22),
                    3
                ))
            )
        );
        let q = parse("«Relation ambivalente» SAUF Méfiance").unwrap();
        assert_eq!(
            q.code_names(),
            vec![
                ("Relation ambivalente".to_owned(), 0),
                ("Méfiance".to_owned(), 28)
            ]
        );
    }

    #[test]
    fn malformed_queries_say_where() {
        let pos = |q: &str| parse(q).unwrap_err().position();
        assert_eq!(pos("a AND"), 5);
        assert_eq!(pos("a AND AND b"), 6);
        assert_eq!(pos("(a OR b"), 0);
        assert_eq!(pos("a \"b"), 2);
        assert_eq!(pos("a NEAR/x b"), 7);
        assert_eq!(pos("a b"), 2);
        assert_eq!(pos("a OR b)"), 6);
        assert_eq!(pos("NOT b"), 0);
        let deep = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(pos(&deep), MAX_DEPTH);
        // The 65th "(" is at column 65.
        let e = parse(&deep).unwrap_err().to_string();
        assert_eq!(e, "query nested deeper than 64 levels at column 65");
        // "a OR " is 5 chars: the 1,001st OR starts at 1,000 * 5 + 3.
        let chain = format!("{}a", "a OR ".repeat(5_000));
        let e = parse(&chain).unwrap_err().to_string();
        assert_eq!(e, "query holds more than 1000 operators at column 5003");
        let e = parse("é AND").unwrap_err();
        assert_eq!(
            e.to_string(),
            "malformed query at character 6: the query ends where a code or \"(\" was expected"
        );
    }

    fn ctx() -> Context {
        let mut c = Context::default();
        c.codes.insert(
            "A".into(),
            Coverage::from_spans([(1, 0, 10), (1, 40, 50), (2, 0, 5)]),
        );
        c.codes
            .insert("B".into(), Coverage::from_spans([(1, 5, 15), (1, 70, 80)]));
        c
    }

    #[test]
    fn and_or_not_on_coverage() {
        let mut c = ctx();
        let p = |s, a, b| Passage {
            source: s,
            start: a,
            end: b,
        };
        assert_eq!(
            parse("A AND B").unwrap().evaluate(&c).unwrap(),
            vec![p(1, 5, 10)]
        );
        assert_eq!(
            parse("A NOT B").unwrap().evaluate(&c).unwrap(),
            vec![p(1, 40, 50), p(2, 0, 5)]
        );
        assert_eq!(
            parse("A OR B").unwrap().evaluate(&c).unwrap(),
            vec![p(1, 0, 15), p(1, 40, 50), p(1, 70, 80), p(2, 0, 5)]
        );
        c.whole = true;
        assert_eq!(
            parse("A AND B").unwrap().evaluate(&c).unwrap(),
            vec![p(1, 0, 15)]
        );
        let err = parse("A AND Z").unwrap().evaluate(&c).unwrap_err();
        assert_eq!(
            err,
            QueryError::UnknownCode {
                name: "Z".into(),
                position: 6
            }
        );
    }

    #[test]
    fn near_counts_words_of_the_source() {
        let text = "un deux trois quatre cinq six sept huit neuf dix";
        let mut c = Context::default();
        // "un" and "six".
        c.codes
            .insert("A".into(), Coverage::from_spans([(1, 0, 2)]));
        c.codes
            .insert("B".into(), Coverage::from_spans([(1, 26, 29)]));
        c.words.insert(1, word_starts(text));
        // Between them: deux trois quatre cinq = 4 words.
        assert!(
            parse("A NEAR/3 B")
                .unwrap()
                .evaluate(&c)
                .unwrap()
                .is_empty()
        );
        assert_eq!(parse("A NEAR/4 B").unwrap().evaluate(&c).unwrap().len(), 2);
    }

    #[test]
    fn precedes_stays_within_a_turn() {
        let mut c = Context::default();
        c.codes
            .insert("A".into(), Coverage::from_spans([(1, 0, 5), (1, 30, 35)]));
        c.codes
            .insert("B".into(), Coverage::from_spans([(1, 10, 15), (1, 50, 55)]));
        c.turns.insert(1, vec![(0, 20), (20, 45), (45, 60)]);
        let got = parse("A PRECEDES B").unwrap().evaluate(&c).unwrap();
        assert_eq!(
            got,
            vec![Passage {
                source: 1,
                start: 0,
                end: 5
            }]
        );
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics_and_errors_point_inside(text in "[a-zé «»\"()/0-9ANDORTEP]{0,40}") {
            if let Err(e) = parse(&text) {
                proptest::prop_assert!(e.position() <= text.chars().count());
            }
        }
    }

    #[test]
    fn word_starts_keep_elisions_whole() {
        assert_eq!(word_starts("c'est la vie"), vec![0, 6, 9]);
        assert_eq!(word_starts("  -- x"), vec![5]);
    }
}
