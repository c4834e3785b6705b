//! The order a report lists sites in: the team's (`verbatim sites order`),
//! then any site a source names that the sites table does not, by name.
//!
//! Sources carry their site as written on import (a code such as `CS` or a
//! name such as `CSAPA`), so a site is matched by code or name, without
//! regard to case.

use verbatim_store::{Participants, Site, StoreError};

/// The study's sites in the team's order.
pub struct SiteOrder {
    sites: Vec<Site>,
}

impl SiteOrder {
    /// Reads the sites in the team's order.
    pub fn load<S: Participants + ?Sized>(store: &S) -> Result<Self, StoreError> {
        Ok(Self {
            sites: store.sites()?,
        })
    }

    /// Returns the sort key of a site as a source or participant names it.
    pub fn key(&self, site: &str) -> (usize, String) {
        let rank = self
            .sites
            .iter()
            .position(|s| s.code.eq_ignore_ascii_case(site) || s.name.eq_ignore_ascii_case(site))
            .unwrap_or(self.sites.len());
        (rank, site.to_lowercase())
    }

    /// Sorts site names or codes in the team's order.
    pub fn sort(&self, sites: &mut [String]) {
        sites.sort_by_cached_key(|s| self.key(s));
    }

    /// Returns `(site, value)` pairs in the team's order of their sites.
    pub fn in_order<T>(&self, pairs: impl IntoIterator<Item = (String, T)>) -> Vec<(String, T)> {
        let mut out: Vec<(String, T)> = pairs.into_iter().collect();
        out.sort_by_cached_key(|(site, _)| self.key(site));
        out
    }

    /// Returns the full name of a site named by code or name, if known.
    pub fn name_of(&self, site: &str) -> Option<&str> {
        self.sites
            .iter()
            .find(|s| s.code.eq_ignore_ascii_case(site) || s.name.eq_ignore_ascii_case(site))
            .map(|s| s.name.as_str())
    }
}
