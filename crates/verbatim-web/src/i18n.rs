//! The interface's language: French or English, the words of every page
//! and script from one file per language (`locales/en.txt`,
//! `locales/fr.txt`), and the header's switch.
//!
//! Why a module of its own: the teams verbatim serves work in French and
//! in English, and a translation kept in one place per language is one a
//! translator can check. The study's own content (code names, transcripts)
//! is never translated.
//!
//! - The language of a request is the `vb_lang` cookie if set, else the
//!   best of `fr` and `en` in `Accept-Language`, else English
//!   ([`Lang::of_request`]). The [`negotiate`] layer makes it the
//!   language of everything the request's handler does (a task-local;
//!   `AppState::with_study` carries it onto the blocking pool with
//!   [`in_lang`]), so a template asks `page.t("key")` and a handler calls
//!   [`t`] without passing the language along. Whatever renders outside a
//!   request (a refusal from a security layer) is in English.
//! - Keys starting `js.` are the scripts' words: `base.html` embeds them
//!   as JSON in `<script type="application/json" id="messages">`, read by
//!   `common.js`'s `t()` (the Content-Security-Policy forbids inline
//!   script, not JSON data blocks).
//! - The files are `key = value` lines (`#` starts a comment; `{name}` is
//!   a placeholder the caller fills). Fluent (`fluent-bundle`) was not
//!   taken: it brings about ten crates (unic-langid, intl_pluralrules,
//!   intl-memoizer, fluent-syntax, …) for plural rules the interface does
//!   not need. The unit tests check that both files have the same keys and
//!   that every key a template or script uses exists.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use axum::Router;
use axum::extract::{Path, Query, Request};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::AppState;
use crate::security::{cookie, local_path};

/// The cookie holding the language picked in the header.
pub const LANG_COOKIE: &str = "vb_lang";

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English, the default.
    #[default]
    En,
    /// French.
    Fr,
}

impl Lang {
    /// Both languages, in the order the header's switch shows them.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Fr];

    /// Returns the language's tag (`en`, `fr`), as `<html lang>` wants it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// Returns the language a tag such as `fr`, `fr-CA` or `EN` names, if
    /// it is one of ours.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "fr" => Some(Lang::Fr),
            _ => None,
        }
    }

    /// Returns the language of a request: the `vb_lang` cookie, else
    /// `Accept-Language`, else English.
    pub fn of_request(headers: &HeaderMap) -> Lang {
        if let Some(lang) = cookie(headers, LANG_COOKIE).and_then(Lang::parse) {
            return lang;
        }
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Lang::accepted)
            .unwrap_or_default()
    }

    /// Returns our language with the highest weight in an
    /// `Accept-Language` value (the first on a tie), if any is there.
    fn accepted(value: &str) -> Option<Lang> {
        let mut best: Option<(Lang, f32)> = None;
        for item in value.split(',') {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Lang::parse) else {
                continue;
            };
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
                best = Some((lang, q));
            }
        }
        best.map(|(lang, _)| lang)
    }

    /// Returns the language of the request being handled (see [`negotiate`]).
    pub fn current() -> Lang {
        CURRENT.try_with(|l| *l).unwrap_or_default()
    }

    fn messages(self) -> &'static BTreeMap<&'static str, &'static str> {
        match self {
            Lang::En => &EN,
            Lang::Fr => &FR,
        }
    }

    /// Returns the words of `key` in this language (English if missing
    /// here, nothing if missing in both: the tests keep that from
    /// happening).
    pub fn t(self, key: &str) -> &'static str {
        self.messages()
            .get(key)
            .or_else(|| EN.get(key))
            .copied()
            .unwrap_or("")
    }

    /// Returns the scripts' words (`js.` keys, without the prefix) as a
    /// JSON object safe inside a `<script type="application/json">`.
    pub fn js_messages(self) -> String {
        let js: BTreeMap<&str, &str> = self
            .messages()
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("js.")?, *v)))
            .collect();
        json_for_script(&js)
    }
}

/// Returns `words` as JSON with `<`, `>` and `&` escaped, so no value can
/// close the `<script>` element holding it.
fn json_for_script(words: &BTreeMap<&str, &str>) -> String {
    serde_json::to_string(words)
        .unwrap_or_else(|_| "{}".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

tokio::task_local! {
    static CURRENT: Lang;
}

/// Runs `f` with `lang` as the current language (for work the request
/// hands to another thread, such as the store's blocking pool).
pub fn in_lang<T>(lang: Lang, f: impl FnOnce() -> T) -> T {
    CURRENT.sync_scope(lang, f)
}

/// Returns the words of `key` in the current request's language.
pub fn t(key: &str) -> &'static str {
    Lang::current().t(key)
}

/// Returns the words of `key` in the current request's language with
/// each `{name}` placeholder replaced by its value in `args`.
pub fn tf(key: &str, args: &[(&str, &str)]) -> String {
    args.iter().fold(t(key).to_owned(), |words, (name, value)| {
        words.replace(&format!("{{{name}}}"), value)
    })
}

/// The layer that makes the request's language current while its handler
/// runs and renders.
pub async fn negotiate(req: Request, next: Next) -> Response {
    let lang = Lang::of_request(req.headers());
    CURRENT.scope(lang, next.run(req)).await
}

static EN: LazyLock<BTreeMap<&'static str, &'static str>> =
    LazyLock::new(|| parse(include_str!("../locales/en.txt")));
static FR: LazyLock<BTreeMap<&'static str, &'static str>> =
    LazyLock::new(|| parse(include_str!("../locales/fr.txt")));

/// Reads a locale file's `key = value` lines.
fn parse(text: &'static str) -> BTreeMap<&'static str, &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

/// Returns the route of the header's language switch.
pub fn routes() -> Router<AppState> {
    Router::new().route("/lang/{code}", get(switch))
}

#[derive(Deserialize)]
struct Back {
    back: Option<String>,
}

/// `GET /lang/fr?back=/sources/3`: remembers the language in a cookie and
/// goes back to the page (a path of this site only).
async fn switch(Path(code): Path<String>, Query(q): Query<Back>) -> Response {
    let back = local_path(q.back);
    let mut response = Redirect::to(&back).into_response();
    if let Some(lang) = Lang::parse(&code) {
        let cookie = format!(
            "{LANG_COOKIE}={}; Path=/; SameSite=Lax; HttpOnly; Max-Age=31536000",
            lang.code()
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn the_cookie_wins_then_the_browser_then_english() {
        let fr_browser = (header::ACCEPT_LANGUAGE, "fr-FR,fr;q=0.9,en;q=0.8");
        assert_eq!(
            Lang::of_request(&headers(std::slice::from_ref(&fr_browser))),
            Lang::Fr
        );
        let en_cookie = (header::COOKIE, "vb_coder=amira; vb_lang=en");
        assert_eq!(
            Lang::of_request(&headers(&[fr_browser, en_cookie])),
            Lang::En
        );
        // German first, then English at 0.5, French at 0.7: French.
        let mixed = (header::ACCEPT_LANGUAGE, "de-DE, en;q=0.5, fr-CA;q=0.7");
        assert_eq!(Lang::of_request(&headers(&[mixed])), Lang::Fr);
        // Only languages we do not have, or French refused (q=0).
        let other = (header::ACCEPT_LANGUAGE, "de, es;q=0.9, fr;q=0");
        assert_eq!(Lang::of_request(&headers(&[other])), Lang::En);
        assert_eq!(Lang::of_request(&HeaderMap::new()), Lang::En);
        let bad_cookie = (header::COOKIE, "vb_lang=klingon");
        assert_eq!(Lang::of_request(&headers(&[bad_cookie])), Lang::En);
    }

    #[test]
    fn both_languages_have_the_same_keys_and_no_empty_words() {
        let en: Vec<_> = EN.keys().collect();
        let fr: Vec<_> = FR.keys().collect();
        let only_en: Vec<_> = en.iter().filter(|k| !FR.contains_key(**k)).collect();
        let only_fr: Vec<_> = fr.iter().filter(|k| !EN.contains_key(**k)).collect();
        assert!(only_en.is_empty(), "missing in fr.txt: {only_en:?}");
        assert!(only_fr.is_empty(), "missing in en.txt: {only_fr:?}");
        for (lang, map) in [("en", &*EN), ("fr", &*FR)] {
            for (k, v) in map.iter() {
                assert!(!v.is_empty(), "{lang}.txt: {k} is empty");
            }
        }
        // Every line is a comment, blank or `key = value`; no key twice.
        for (lang, text) in [
            ("en", include_str!("../locales/en.txt")),
            ("fr", include_str!("../locales/fr.txt")),
        ] {
            let mut seen = std::collections::BTreeSet::new();
            for line in text.lines().map(str::trim) {
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let (k, _) = line
                    .split_once('=')
                    .unwrap_or_else(|| panic!("{lang}.txt: not key = value: {line}"));
                assert!(seen.insert(k.trim()), "{lang}.txt: {} twice", k.trim());
            }
        }
    }

    /// Returns every key quoted after a call `t(` (`t("` in templates,
    /// `t('` in scripts; `toast('` is not one) in the files of `dir`.
    fn keys_used(dir: &str, quote: char) -> Vec<(String, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        let call = format!("t({quote}");
        let mut found = Vec::new();
        for entry in std::fs::read_dir(&root).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for (at, _) in text.match_indices(&call) {
                let before = text[..at].chars().next_back().unwrap_or(' ');
                if before.is_alphanumeric() || before == '_' || before == '$' {
                    continue;
                }
                let rest = &text[at + call.len()..];
                if let Some((key, _)) = rest.split_once(quote) {
                    found.push((path.display().to_string(), key.to_owned()));
                }
            }
        }
        found
    }

    /// Returns every key quoted after `t(` or `tf(` in the Rust files
    /// under `src/`, with the file it is in.
    fn keys_in_rust() -> Vec<(String, String)> {
        let mut found = Vec::new();
        let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                // This file's tests hold the patterns themselves.
                if path.ends_with("i18n.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                // rustfmt may put the key on the line after the call.
                for call in ["t(", "tf("] {
                    for (at, _) in text.match_indices(call) {
                        let before = text[..at].chars().next_back().unwrap_or(' ');
                        if before.is_alphanumeric() || before == '_' {
                            continue;
                        }
                        let rest = text[at + call.len()..].trim_start();
                        if let Some((key, _)) =
                            rest.strip_prefix('"').and_then(|r| r.split_once('"'))
                        {
                            found.push((path.display().to_string(), key.to_owned()));
                        }
                    }
                }
            }
        }
        found
    }

    #[test]
    fn every_key_the_server_builds_a_sentence_from_exists_in_both_languages() {
        let keys = keys_in_rust();
        assert!(
            keys.iter().any(|(_, k)| k == "refused.role"),
            "the refusals are looked up"
        );
        for (file, key) in keys {
            assert!(EN.contains_key(key.as_str()), "{file}: no English {key}");
            assert!(FR.contains_key(key.as_str()), "{file}: no French {key}");
        }
        // A refusal in French, placeholders filled.
        let words = in_lang(Lang::Fr, || {
            tf(
                "refused.role",
                &[("name", "vera"), ("role", "viewer"), ("needed", "coder")],
            )
        });
        assert_eq!(
            words,
            "vera a un compte viewer et ceci demande le rôle coder : rien n’a été modifié ; \
             demandez au responsable de l’étude"
        );
    }

    #[test]
    fn every_key_the_pages_and_scripts_use_exists() {
        let templates = keys_used("templates", '"');
        assert!(templates.len() > 20, "the templates use the locale files");
        for (file, key) in templates {
            assert!(EN.contains_key(key.as_str()), "{file}: no key {key}");
        }
        let scripts = keys_used("assets/js", '\'');
        assert!(scripts.len() > 10, "the scripts use the locale files");
        for (file, key) in scripts {
            let full = format!("js.{key}");
            assert!(EN.contains_key(full.as_str()), "{file}: no key {full}");
        }
    }

    #[test]
    fn the_scripts_words_cannot_close_their_script_element() {
        let words = BTreeMap::from([("x", "a </script><b>&amp;")]);
        let json = json_for_script(&words);
        assert_eq!(
            json,
            r#"{"x":"a \u003c/script\u003e\u003cb\u003e\u0026amp;"}"#
        );
        let back: BTreeMap<String, String> = serde_json::from_str(&json).unwrap();
        assert_eq!(back["x"], "a </script><b>&amp;");
        // The French words go through the same escaping, prefix removed.
        let fr: BTreeMap<String, String> = serde_json::from_str(&Lang::Fr.js_messages()).unwrap();
        assert_eq!(fr["coded"], "Codé avec {name}");
    }
}
