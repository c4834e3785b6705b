//! The query language, parsed by hand so every error can point at a column.
//!
//! ```text
//! query   := or
//! or      := and ("OR" and)*
//! and     := unary (["AND"] unary)*        juxtaposition means AND
//! unary   := "NOT" unary | primary
//! primary := "(" or ")" | word | =word | prefix* | "phrase" | ="phrase" | "phrase"~N
//! ```
//!
//! Words match their word family (stemmed by the source's language) unless
//! written `=word`; matching ignores case and accents either way. A query is
//! evaluated twice: once as a tantivy query that finds candidate turns
//! (never fewer than the real matches), then exactly, over the tokens of
//! each candidate turn, by [`Query::matches`], which also yields the spans
//! the KWIC lines show. Phrases with a distance (`"a b"~N`) are matched in
//! order with at most N other words in between in total.

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, Occur, PhraseQuery, Query as TQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use crate::analysis::{Analyzers, Stemming, Token};
use crate::error::{Result, SearchError};

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    root: Node,
}

/// A node of a parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A word, phrase or prefix.
    Leaf(Leaf),
    /// Every child matches.
    And(Vec<Node>),
    /// At least one child matches.
    Or(Vec<Node>),
    /// The child does not match.
    Not(Box<Node>),
}

/// A word, a phrase or a prefix, with its forms ready for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leaf {
    /// Words in order (one word is a phrase of one).
    Words {
        /// The exact (folded) forms.
        exact: Vec<String>,
        /// The French stems.
        fr: Vec<String>,
        /// The English stems.
        en: Vec<String>,
        /// Match exact forms only.
        exact_only: bool,
        /// Other words allowed in between, in total.
        slop: u32,
    },
    /// Any word starting with this folded prefix.
    Prefix(String),
}

/// The fields a query runs against.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub exact: Field,
    pub stem_fr: Field,
    pub stem_en: Field,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Lex {
    Open,
    Close,
    And,
    Or,
    Not,
    Word {
        text: String,
        exact: bool,
    },
    Prefix(String),
    Phrase {
        text: String,
        exact: bool,
        slop: u32,
    },
}

fn error(message: impl Into<String>, column: usize, fragment: impl Into<String>) -> SearchError {
    SearchError::Query {
        message: message.into(),
        column,
        fragment: fragment.into(),
    }
}

/// Splits a query into its tokens, each with its 1-based column.
fn lex(input: &str) -> Result<Vec<(Lex, usize)>> {
    let mut lexer = Lexer {
        chars: input.chars().collect(),
        i: 0,
    };
    let mut out = Vec::new();
    while let Some(token) = lexer.next_token()? {
        out.push(token);
    }
    Ok(out)
}

/// The lexer's cursor over the query's characters.
struct Lexer {
    chars: Vec<char>,
    i: usize,
}

/// Whether `c` ends a word: white space, a parenthesis or a quote.
fn is_stop(c: char) -> bool {
    c.is_whitespace() || c == '(' || c == ')' || c == '"'
}

impl Lexer {
    /// The character under the cursor, if any.
    fn here(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    /// The next token after any white space, or `None` at the end.
    fn next_token(&mut self) -> Result<Option<(Lex, usize)>> {
        while self.here().is_some_and(char::is_whitespace) {
            self.i += 1;
        }
        let Some(c) = self.here() else {
            return Ok(None);
        };
        let column = self.i + 1;
        if c == '(' || c == ')' {
            self.i += 1;
            let token = if c == '(' { Lex::Open } else { Lex::Close };
            return Ok(Some((token, column)));
        }
        let exact = c == '=';
        if exact {
            self.i += 1;
            if self
                .here()
                .is_none_or(|c| c.is_whitespace() || c == '(' || c == ')')
            {
                return Err(error(
                    "`=` must be followed by a word or a quoted phrase",
                    column,
                    "=",
                ));
            }
        }
        let token = if self.here() == Some('"') {
            self.phrase(exact)?
        } else {
            self.word(exact, column)?
        };
        Ok(Some((token, column)))
    }

    /// A quoted phrase starting at the cursor's quote, with its `~N`.
    fn phrase(&mut self, exact: bool) -> Result<Lex> {
        let open = self.i;
        let chars = &self.chars;
        let Some(len) = chars[open + 1..].iter().position(|&c| c == '"') else {
            let rest: String = chars[open..].iter().collect();
            return Err(error("unclosed quote", open + 1, rest));
        };
        let text: String = chars[open + 1..open + 1 + len].iter().collect();
        self.i = open + len + 2;
        let slop = self.slop()?;
        if let Some(c) = self.here().filter(|&c| !is_stop(c)) {
            return Err(error(
                "put a space after a closing quote",
                self.i + 1,
                c.to_string(),
            ));
        }
        Ok(Lex::Phrase { text, exact, slop })
    }

    /// The distance `~N` after a closing quote, 0 when there is none.
    fn slop(&mut self) -> Result<u32> {
        if self.here() != Some('~') {
            return Ok(0);
        }
        let tilde = self.i;
        self.i += 1;
        let digits: String = self.chars[self.i..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        if digits.is_empty() {
            return Err(error(
                "`~` must be followed by a number of words, like \"trust patient\"~5",
                tilde + 1,
                "~",
            ));
        }
        self.i += digits.chars().count();
        digits.parse::<u32>().map_err(|_| {
            error(
                "the distance after `~` is too large",
                tilde + 1,
                digits.clone(),
            )
        })
    }

    /// A word, an operator or a prefix starting at the cursor.
    fn word(&mut self, exact: bool, column: usize) -> Result<Lex> {
        let start = self.i;
        while self.here().is_some_and(|c| !is_stop(c)) {
            self.i += 1;
        }
        let word: String = self.chars[start..self.i].iter().collect();
        if self.here() == Some('"') {
            return Err(error(
                "put a space before an opening quote",
                self.i + 1,
                format!("{word}\""),
            ));
        }
        if !exact {
            match word.as_str() {
                "AND" => return Ok(Lex::And),
                "OR" => return Ok(Lex::Or),
                "NOT" => return Ok(Lex::Not),
                _ => {}
            }
        }
        let Some(star) = word.find('*') else {
            return Ok(Lex::Word { text: word, exact });
        };
        if star + 1 != word.len() || star == 0 {
            return Err(error(
                "`*` is only allowed at the end of a word, like méfi*",
                start + word[..star].chars().count() + 1,
                word,
            ));
        }
        if exact {
            return Err(error(
                "a prefix already matches exact forms: drop the `=`",
                column,
                word,
            ));
        }
        Ok(Lex::Prefix(word[..star].to_owned()))
    }
}

/// How deep a query may nest (parentheses and `NOT`s, each one level): the
/// parser and the evaluator recurse once per level, and a query is user
/// input that may come from any web page through a GET.
pub const MAX_DEPTH: usize = 64;

struct Parser<'a> {
    toks: Vec<(Lex, usize)>,
    at: usize,
    end_column: usize,
    analyzers: &'a mut Analyzers,
    /// Parentheses and `NOT`s open around the current token.
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Lex> {
        self.toks.get(self.at).map(|t| &t.0)
    }

    fn column(&self) -> usize {
        self.toks.get(self.at).map_or(self.end_column, |t| t.1)
    }

    /// Parses `inner` one level deeper, refusing a level past [`MAX_DEPTH`]
    /// at the column of the token that opens it.
    fn nested(&mut self, column: usize, inner: fn(&mut Self) -> Result<Node>) -> Result<Node> {
        if self.depth == MAX_DEPTH {
            return Err(error(
                format!("query nested deeper than {MAX_DEPTH} levels"),
                column,
                "",
            ));
        }
        self.depth += 1;
        let node = inner(self);
        self.depth -= 1;
        node
    }

    fn or(&mut self) -> Result<Node> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some(&Lex::Or) {
            self.at += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Node::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Node> {
        let mut parts = vec![self.unary()?];
        loop {
            match self.peek() {
                Some(Lex::And) => {
                    self.at += 1;
                    parts.push(self.unary()?);
                }
                Some(Lex::Or | Lex::Close) | None => break,
                Some(_) => parts.push(self.unary()?),
            }
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Node::And(parts)
        })
    }

    fn unary(&mut self) -> Result<Node> {
        if self.peek() == Some(&Lex::Not) {
            let column = self.column();
            self.at += 1;
            let inner = self.nested(column, Self::unary)?;
            return Ok(Node::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Node> {
        let column = self.column();
        let Some((tok, _)) = self.toks.get(self.at).cloned() else {
            let before = self
                .at
                .checked_sub(1)
                .and_then(|i| self.toks.get(i))
                .map(|t| &t.0);
            return Err(match before {
                Some(Lex::And | Lex::Or | Lex::Not) => {
                    error("expected a word after the operator", column, "")
                }
                Some(Lex::Open) => error("expected a word after `(`", column, ""),
                _ => error("the query is empty", column, ""),
            });
        };
        self.at += 1;
        match tok {
            Lex::Open => {
                let inner = self.nested(column, Self::or)?;
                if self.peek() != Some(&Lex::Close) {
                    return Err(error("unclosed parenthesis", column, "("));
                }
                self.at += 1;
                Ok(inner)
            }
            Lex::Close => Err(error("unexpected `)`", column, ")")),
            Lex::And | Lex::Or => Err(error(
                "expected a word before the operator",
                column,
                if tok == Lex::And { "AND" } else { "OR" },
            )),
            Lex::Not => Err(error("expected a word after NOT", column, "NOT")),
            Lex::Word { text, exact } => self.words(&text, exact, 0, column),
            Lex::Phrase { text, exact, slop } => self.words(&text, exact, slop, column),
            Lex::Prefix(text) => {
                let terms = self.analyzers.exact_terms(&text);
                match terms.as_slice() {
                    [one] => Ok(Node::Leaf(Leaf::Prefix(one.clone()))),
                    [] => Err(error(
                        "nothing to search for in",
                        column,
                        format!("{text}*"),
                    )),
                    _ => Err(error(
                        "a prefix is one word (no apostrophe or hyphen)",
                        column,
                        format!("{text}*"),
                    )),
                }
            }
        }
    }

    fn words(&mut self, text: &str, exact_only: bool, slop: u32, column: usize) -> Result<Node> {
        let exact = self.analyzers.exact_terms(text);
        if exact.is_empty() {
            return Err(error(
                "nothing to search for (no letters or digits) in",
                column,
                text.to_owned(),
            ));
        }
        let fr = self.analyzers.stem_terms(text, Stemming::French);
        let en = self.analyzers.stem_terms(text, Stemming::English);
        Ok(Node::Leaf(Leaf::Words {
            exact,
            fr,
            en,
            exact_only,
            slop,
        }))
    }
}

impl Query {
    /// Parses a query; errors name the column (1-based, in chars).
    pub fn parse(input: &str, analyzers: &mut Analyzers) -> Result<Self> {
        let toks = lex(input)?;
        let mut parser = Parser {
            toks,
            at: 0,
            end_column: input.chars().count() + 1,
            analyzers,
            depth: 0,
        };
        let root = parser.or()?;
        if let Some((tok, column)) = parser.toks.get(parser.at) {
            return Err(match tok {
                Lex::Close => error("unexpected `)`", *column, ")"),
                _ => error("unexpected word", *column, ""),
            });
        }
        if !has_positive(&root) {
            return Err(error(
                "the query needs at least one word that is not negated with NOT",
                1,
                input.to_owned(),
            ));
        }
        Ok(Self { root })
    }

    /// Returns the parsed tree.
    pub fn root(&self) -> &Node {
        &self.root
    }

    /// Returns the byte spans where the query matches a segment's tokens,
    /// or nothing when the segment does not match.
    pub fn matches(&self, tokens: &[Token], stemming: Stemming) -> Vec<(usize, usize)> {
        let mut spans = eval(&self.root, tokens, stemming).unwrap_or_default();
        spans.sort_unstable();
        spans.dedup();
        // Drop spans inside another one (a word also found within a phrase).
        let all = spans.clone();
        spans.retain(|s| !all.iter().any(|o| o != s && o.0 <= s.0 && s.1 <= o.1));
        spans
    }

    /// Returns a tantivy query finding every segment that may match.
    pub(crate) fn candidates(&self, fields: Fields) -> Box<dyn TQuery> {
        to_tantivy(&self.root, fields).0
    }
}

fn has_positive(node: &Node) -> bool {
    match node {
        Node::Leaf(_) => true,
        Node::And(parts) => parts.iter().any(has_positive),
        Node::Or(parts) => parts.iter().all(has_positive),
        Node::Not(_) => false,
    }
}

/// Evaluates a node: `None` when it does not match, else the spans to show.
fn eval(node: &Node, tokens: &[Token], stemming: Stemming) -> Option<Vec<(usize, usize)>> {
    match node {
        Node::Leaf(leaf) => {
            let spans = leaf_spans(leaf, tokens, stemming);
            (!spans.is_empty()).then_some(spans)
        }
        Node::And(parts) => {
            let mut out = Vec::new();
            for p in parts {
                out.extend(eval(p, tokens, stemming)?);
            }
            Some(out)
        }
        Node::Or(parts) => {
            let mut any = false;
            let mut out = Vec::new();
            for p in parts {
                if let Some(s) = eval(p, tokens, stemming) {
                    any = true;
                    out.extend(s);
                }
            }
            any.then_some(out)
        }
        Node::Not(inner) => match eval(inner, tokens, stemming) {
            Some(_) => None,
            None => Some(Vec::new()),
        },
    }
}

fn leaf_spans(leaf: &Leaf, tokens: &[Token], stemming: Stemming) -> Vec<(usize, usize)> {
    match leaf {
        Leaf::Prefix(prefix) => tokens
            .iter()
            .filter(|t| t.exact.starts_with(prefix.as_str()))
            .map(|t| (t.from, t.to))
            .collect(),
        Leaf::Words {
            exact,
            fr,
            en,
            exact_only,
            slop,
        } => {
            let stems = match stemming {
                Stemming::French => fr,
                Stemming::English => en,
            };
            let is = |k: usize, t: &Token| {
                if *exact_only {
                    exact.get(k).is_some_and(|w| *w == t.exact)
                } else {
                    stems.get(k).is_some_and(|w| *w == t.stem)
                }
            };
            let n = exact.len();
            let mut out = Vec::new();
            for (i, first) in tokens.iter().enumerate() {
                if !is(0, first) {
                    continue;
                }
                let mut budget = *slop as usize;
                let mut last = i;
                let mut ok = true;
                for k in 1..n {
                    let prev = tokens[last].position;
                    let found = tokens[last + 1..].iter().enumerate().find_map(|(j, t)| {
                        let gap = t.position.saturating_sub(prev + 1);
                        if gap > budget {
                            return Some(Err(()));
                        }
                        is(k, t).then_some(Ok((last + 1 + j, gap)))
                    });
                    match found {
                        Some(Ok((j, gap))) => {
                            budget -= gap;
                            last = j;
                        }
                        _ => {
                            ok = false;
                            break;
                        }
                    }
                }
                if ok {
                    out.push((first.from, tokens[last].to));
                }
            }
            out
        }
    }
}

fn term_query(field: Field, text: &str) -> Box<dyn TQuery> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqsAndPositions,
    ))
}

fn sequence(field: Field, words: &[String]) -> Box<dyn TQuery> {
    if words.len() == 1 {
        return term_query(field, &words[0]);
    }
    Box::new(PhraseQuery::new(
        words
            .iter()
            .map(|w| Term::from_field_text(field, w))
            .collect(),
    ))
}

fn all_of(field: Field, words: &[String]) -> Box<dyn TQuery> {
    Box::new(BooleanQuery::new(
        words
            .iter()
            .map(|w| (Occur::Must, term_query(field, w)))
            .collect(),
    ))
}

/// Returns the candidate query and whether it is exact (matches exactly
/// the segments [`eval`] accepts), which a negation needs.
fn to_tantivy(node: &Node, f: Fields) -> (Box<dyn TQuery>, bool) {
    match node {
        Node::Leaf(Leaf::Prefix(p)) => {
            // The prefix holds letters and digits only (it went through
            // the analyzer), so it needs no escaping.
            match RegexQuery::from_pattern(&format!("{p}.*"), f.exact) {
                Ok(q) => (Box::new(q), true),
                Err(_) => (Box::new(AllQuery), false),
            }
        }
        Node::Leaf(Leaf::Words {
            exact,
            fr,
            en,
            exact_only,
            slop,
        }) => {
            let build = if *slop == 0 { sequence } else { all_of };
            let q: Box<dyn TQuery> = if *exact_only {
                build(f.exact, exact)
            } else {
                Box::new(BooleanQuery::new(vec![
                    (Occur::Should, build(f.stem_fr, fr)),
                    (Occur::Should, build(f.stem_en, en)),
                ]))
            };
            (q, *slop == 0)
        }
        Node::And(parts) => {
            let mut exact = true;
            let mut clauses = Vec::new();
            for p in parts {
                match p {
                    Node::Not(inner) => {
                        let (q, e) = to_tantivy(inner, f);
                        if e {
                            clauses.push((Occur::MustNot, q));
                        } else {
                            exact = false;
                        }
                    }
                    _ => {
                        let (q, e) = to_tantivy(p, f);
                        exact &= e;
                        clauses.push((Occur::Must, q));
                    }
                }
            }
            if !clauses.iter().any(|c| c.0 == Occur::Must) {
                clauses.push((Occur::Must, Box::new(AllQuery)));
            }
            (Box::new(BooleanQuery::new(clauses)), exact)
        }
        Node::Or(parts) => {
            if parts.iter().any(|p| matches!(p, Node::Not(_))) {
                return (Box::new(AllQuery), false);
            }
            let mut exact = true;
            let clauses = parts
                .iter()
                .map(|p| {
                    let (q, e) = to_tantivy(p, f);
                    exact &= e;
                    (Occur::Should, q)
                })
                .collect();
            (Box::new(BooleanQuery::new(clauses)), exact)
        }
        Node::Not(_) => (Box::new(AllQuery), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> Result<Query> {
        Query::parse(q, &mut Analyzers::default())
    }

    fn hits(q: &str, text: &str, s: Stemming) -> Vec<String> {
        let mut a = Analyzers::default();
        let query = Query::parse(q, &mut a).unwrap();
        let toks = a.tokens(text, s);
        query
            .matches(&toks, s)
            .into_iter()
            .map(|(a, b)| text[a..b].to_owned())
            .collect()
    }

    #[test]
    fn malformed_queries_point_at_the_column() {
        let e = parse("confiance \"la confiance").unwrap_err().to_string();
        assert_eq!(e, "unclosed quote at column 11: \"la confiance");
        let e = parse("(a OR b").unwrap_err().to_string();
        assert!(e.starts_with("unclosed parenthesis at column 1"), "{e}");
        let e = parse("a OR").unwrap_err().to_string();
        assert!(e.contains("column 5"), "{e}");
        let e = parse("mé*fi").unwrap_err().to_string();
        assert!(e.contains("column 3"), "{e}");
        assert!(parse("NOT a").is_err());
        assert!(parse("a)").is_err());
        assert!(parse("\"a b\"~x").is_err());
    }

    proptest::proptest! {
        // Hostile shapes: deep parentheses and NOT chains mixed with words,
        // quotes and operators. Parsing never panics nor overflows, and an
        // error points inside the query (or just past its end).
        #[test]
        fn parsing_never_panics_and_errors_point_inside(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("(".to_owned()),
                    proptest::strategy::Just(")".to_owned()),
                    proptest::strategy::Just("NOT ".to_owned()),
                    proptest::strategy::Just(" AND ".to_owned()),
                    proptest::strategy::Just(" OR ".to_owned()),
                    proptest::strategy::Just("\"".to_owned()),
                    "[a-zé*=~0-9 ]{1,6}",
                ],
                0..200,
            )
        ) {
            let text = parts.concat();
            if let Err(SearchError::Query { column, .. }) = parse(&text) {
                proptest::prop_assert!(column >= 1 && column <= text.chars().count() + 1);
            }
        }
    }

    #[test]
    fn nesting_past_the_limit_is_refused_where_it_starts() {
        // 64 levels parse; the 65th "(" is at column 65.
        let ok = format!("{}a{}", "(".repeat(64), ")".repeat(64));
        assert!(parse(&ok).is_ok());
        let deep = format!("{}a", "(".repeat(2_000));
        let e = parse(&deep).unwrap_err().to_string();
        assert_eq!(e, "query nested deeper than 64 levels at column 65");
        // After "a ", "NOT " is 4 chars: the 65th NOT starts at 2 + 64 * 4 + 1.
        let nots = format!("a {}b", "NOT ".repeat(5_000));
        let e = parse(&nots).unwrap_err().to_string();
        assert_eq!(e, "query nested deeper than 64 levels at column 259");
        // Mixed: 40 "(" then NOTs; level 65 is the 25th NOT, at 40 + 24 * 4 + 1.
        let mixed = format!("{}{}a", "(".repeat(40), "NOT ".repeat(100));
        let e = parse(&mixed).unwrap_err().to_string();
        assert_eq!(e, "query nested deeper than 64 levels at column 137");
    }

    #[test]
    fn words_phrases_prefixes_and_booleans_match_tokens() {
        let fr = Stemming::French;
        let t = "La méfiance, puis la confiance. Méfiant toujours.";
        assert_eq!(hits("méfiance", t, fr), ["méfiance", "Méfiant"]);
        assert_eq!(hits("=méfiance", t, fr), ["méfiance"]);
        assert_eq!(hits("mefiance", t, fr), ["méfiance", "Méfiant"]);
        assert_eq!(hits("\"la confiance\"", t, fr), ["la confiance"]);
        assert!(hits("\"confiance la\"", t, fr).is_empty());
        assert_eq!(hits("méfi*", t, fr), ["méfiance", "Méfiant"]);
        assert_eq!(hits("confiance NOT méfiance", t, fr), Vec::<String>::new());
        assert_eq!(hits("confiance OR absent", t, fr), ["confiance"]);
        assert_eq!(
            hits("(absent OR confiance) puis", t, fr),
            ["puis", "confiance"]
        );
    }

    #[test]
    fn proximity_counts_words_in_between() {
        let en = Stemming::English;
        let t = "We trust the new patient here.";
        assert_eq!(
            hits("\"trust patient\"~2", t, en),
            ["trust the new patient"]
        );
        assert!(hits("\"trust patient\"~1", t, en).is_empty());
        assert!(hits("\"patient trust\"~5", t, en).is_empty());
        assert_eq!(hits("trusting", "I trust them", en), ["trust"]);
    }
}
