//! Who is acting in this browser, and what they may see.
//!
//! In team mode (`serve --team`) the logged-in account decides, and
//! nothing the browser sends can change it: the `vb_coder` cookie and
//! `--coder` are ignored, the coder is the account's own (a coder
//! account's name; an owner's too, created the first time the owner
//! codes or opens the reader, see [`crate::auth`]; none for a viewer), and an account without a coder reads through the store's
//! reader scope (shared codebook and consensus layer until the layers
//! open). Locally, the coder is chosen like on the command line: `--coder` /
//! `VERBATIM_CODER` when the server starts, or the picker in the page
//! header, which stores the name in the `vb_coder` cookie. This is a
//! convenience for one researcher coding under several names, not an
//! authentication (team mode adds accounts). Blind coding is not the
//! browser's business: every read goes through the store's `Scope`, which
//! shows other coders' layers only once the study is revealed.

use crate::Backend;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use verbatim_store::{Role, Scope, SessionAccount, StoreError};

use crate::auth::CurrentAccount;
use crate::security::cookie;
use crate::{AppState, WebError};

/// The cookie holding the coder picked in the header.
pub const CODER_COOKIE: &str = "vb_coder";

/// The acting coder of a request, if any was chosen.
#[derive(Debug, Clone)]
pub struct Session {
    /// The coder's name.
    pub coder: Option<String>,
    /// The logged-in account (team mode only).
    pub account: Option<SessionAccount>,
    /// True when the study is one of a folder's (`serve --dir`), so pages
    /// link back to the folder's start page.
    pub in_folder: bool,
}

impl Session {
    /// Returns the coder's name, or a clear error when none is chosen.
    pub fn coder(&self) -> Result<&str, WebError> {
        if let (Some(account), None) = (&self.account, &self.coder) {
            return Err(WebError::Forbidden(crate::i18n::tf(
                "refused.no_layer",
                &[("name", &account.name), ("role", account.role.as_str())],
            )));
        }
        self.coder
            .as_deref()
            .ok_or_else(|| WebError::Forbidden(crate::i18n::t("refused.choose_coder").into()))
    }

    /// Returns the coder's scope: their own layer, or every layer once the
    /// study is revealed.
    pub fn scope(&self, store: &dyn Backend) -> Result<Scope, WebError> {
        if self.account.is_some() && self.coder.is_none() {
            return Ok(store.reader_scope()?);
        }
        let name = self.coder()?;
        let revealed = store.revealed()?.is_some();
        Ok(store.scope(name, revealed, false)?)
    }

    /// Returns the scope that sees every coder's layer, for comparing
    /// coders: granted by the store only once the layers are open, to a
    /// coder as to a reader.
    pub fn comparing_scope(&self, store: &dyn Backend) -> Result<Scope, WebError> {
        if self.account.is_some() && self.coder.is_none() {
            let scope = store.reader_scope()?;
            return if scope.sees_all() {
                Ok(scope)
            } else {
                Err(StoreError::Blind.into())
            };
        }
        Ok(store.scope(self.coder()?, true, false)?)
    }

    /// Returns who the audit log records for a change made in this
    /// browser: the account in team mode, else the coder picked, else
    /// `web`.
    pub fn actor(&self) -> String {
        match (&self.account, &self.coder) {
            (Some(account), _) => account.name.clone(),
            (None, Some(coder)) => coder.clone(),
            (None, None) => "web".into(),
        }
    }

    /// Returns the coder's own scope (their layer only), for writes and for
    /// views that must not mix layers, such as the theme tree.
    ///
    /// A viewer's own layer is the team's: the shared codebook and the
    /// consensus (the role layer lets a viewer write nothing through it).
    /// An owner without a coder has none, so cannot code into the
    /// consensus by accident: the consensus changes through decisions.
    pub fn own_scope(&self, store: &dyn Backend) -> Result<Scope, WebError> {
        if let Some(account) = &self.account
            && account.role == Role::Viewer
        {
            return Ok(store.consensus_scope()?);
        }
        Ok(store.scope(self.coder()?, false, false)?)
    }
}

impl FromRequestParts<AppState> for Session {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let in_folder = state.config().folder.is_some();
        if state.config().team {
            let account = parts
                .extensions
                .get::<CurrentAccount>()
                .map(|a| a.0.clone());
            return Ok(Session {
                coder: account.as_ref().and_then(|a| a.coder.clone()),
                account,
                in_folder,
            });
        }
        let picked = cookie(&parts.headers, CODER_COOKIE)
            .map(decode_cookie)
            .filter(|name| !name.trim().is_empty());
        Ok(Session {
            coder: picked.or_else(|| state.config().default_coder.clone()),
            account: None,
            in_folder,
        })
    }
}

/// Returns a cookie value written by [`encode_cookie`].
pub fn decode_cookie(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = value.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Returns a name percent-encoded for a cookie value (coder names may hold
/// accents, spaces and semicolons).
pub fn encode_cookie(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coder_names_round_trip_through_the_cookie() {
        for name in ["amira", "Zoé Martin", "a;b=c%", "名前"] {
            assert_eq!(decode_cookie(&encode_cookie(name)), name);
        }
    }
}
