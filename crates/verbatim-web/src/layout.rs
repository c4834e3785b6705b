//! What every page's frame shows: the study's title, the navigation, the
//! coder picker, the language switch and the CSRF token for forms and
//! scripts.
//!
//! A page template extends `templates/base.html` and has a `page: Page`
//! field; [`Page::new`] fills it inside the handler's store call.

use crate::Backend;
use verbatim_store::{Role, SessionAccount};

use crate::WebError;
use crate::i18n::{Lang, t};
use crate::session::Session;

/// The navigation's sections, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    /// The study home page.
    Home,
    /// Sources and the reader.
    Sources,
    /// Participants and their attributes.
    Participants,
    /// The theme tree editor.
    Codes,
    /// Full-text search and coding queries.
    Search,
    /// Agreement and reconciliation.
    Compare,
    /// The reflexive journal and memos.
    Journal,
    /// Report previews and downloads.
    Reports,
}

impl Nav {
    const ALL: [Nav; 8] = [
        Nav::Home,
        Nav::Sources,
        Nav::Participants,
        Nav::Codes,
        Nav::Search,
        Nav::Compare,
        Nav::Journal,
        Nav::Reports,
    ];

    fn href(self) -> &'static str {
        match self {
            Nav::Home => "/",
            Nav::Sources => "/sources",
            Nav::Participants => "/participants",
            Nav::Codes => "/codes",
            Nav::Search => "/search",
            Nav::Compare => "/compare",
            Nav::Journal => "/journal",
            Nav::Reports => "/reports",
        }
    }

    /// The locale key of the section's name.
    fn label_key(self) -> &'static str {
        match self {
            Nav::Home => "nav.home",
            Nav::Sources => "nav.sources",
            Nav::Participants => "nav.participants",
            Nav::Codes => "nav.codes",
            Nav::Search => "nav.search",
            Nav::Compare => "nav.compare",
            Nav::Journal => "nav.journal",
            Nav::Reports => "nav.reports",
        }
    }
}

/// One navigation link.
#[derive(Debug, Clone)]
pub struct NavItem {
    /// Where it goes.
    pub href: &'static str,
    /// What it says.
    pub label: &'static str,
    /// True for the current section.
    pub active: bool,
}

/// The frame of a page.
#[derive(Debug, Clone)]
pub struct Page {
    /// The page's own title (the study's is added).
    pub title: String,
    /// The current section.
    pub nav: Nav,
    /// The study's title.
    pub study: String,
    /// The acting coder.
    pub coder: Option<String>,
    /// Every coder's name, for the picker.
    pub coders: Vec<String>,
    /// True once every coder's layer is open to all.
    pub revealed: bool,
    /// The CSRF token forms and scripts send back.
    pub csrf: String,
    /// The path of the current page, so the coder picker can come back.
    pub back: String,
    /// Page scripts under `/assets/js/` (ES modules), besides `common.js`.
    pub scripts: Vec<&'static str>,
    /// The logged-in account (team mode), shown instead of the picker.
    pub account: Option<SessionAccount>,
    /// True for a study of a folder server: the header links to the
    /// folder's studies.
    pub in_folder: bool,
}

impl Page {
    /// Returns the frame of a page in section `nav`.
    pub fn new(
        store: &dyn Backend,
        session: &Session,
        csrf: &str,
        title: impl Into<String>,
        nav: Nav,
    ) -> Result<Self, WebError> {
        Ok(Page {
            title: title.into(),
            nav,
            study: store.study()?.title,
            coder: session.coder.clone(),
            coders: store.coders()?.into_iter().map(|c| c.name).collect(),
            revealed: store.revealed()?.is_some(),
            csrf: csrf.to_owned(),
            back: nav.href().to_owned(),
            scripts: Vec::new(),
            account: session.account.clone(),
            in_folder: session.in_folder,
        })
    }

    /// Returns the page with a script module added.
    pub fn with_script(mut self, script: &'static str) -> Self {
        self.scripts.push(script);
        self
    }

    /// Returns the page remembering its own path (for the coder picker).
    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.back = path.into();
        self
    }

    /// Returns the navigation links with the current one marked.
    pub fn nav_items(&self) -> Vec<NavItem> {
        Nav::ALL
            .iter()
            .map(|&n| NavItem {
                href: n.href(),
                label: t(n.label_key()),
                active: n == self.nav,
            })
            .collect()
    }

    /// Returns true when an owner is logged in (team mode).
    pub fn is_owner(&self) -> bool {
        self.account.as_ref().is_some_and(|a| a.role == Role::Owner)
    }

    /// Returns the words of a locale key in the request's language.
    pub fn t(&self, key: &str) -> &'static str {
        t(key)
    }

    /// Returns the request's language tag, for `<html lang>`.
    pub fn lang(&self) -> &'static str {
        Lang::current().code()
    }

    /// Returns the scripts' words as JSON (see [`crate::i18n`]).
    pub fn js_messages(&self) -> String {
        Lang::current().js_messages()
    }

    /// Returns the header's language switch: (tag, link, is current).
    pub fn lang_links(&self) -> Vec<(&'static str, String, bool)> {
        let now = Lang::current();
        Lang::ALL
            .iter()
            .map(|&l| {
                (
                    l.code(),
                    format!("/lang/{}?back={}", l.code(), query_escape(&self.back)),
                    l == now,
                )
            })
            .collect()
    }

    /// Returns true when `name` is the acting coder.
    pub fn is_coder(&self, name: &str) -> bool {
        self.coder.as_deref() == Some(name)
    }
}

/// Returns `s` escaped for a URL query value.
fn query_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
