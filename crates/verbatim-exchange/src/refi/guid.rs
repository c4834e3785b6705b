//! GUIDs as REFI-QDA writes them, and the stable ones verbatim writes.
//!
//! Producers write GUIDs upper case (ATLAS.ti, MAXQDA), lower case (NVivo),
//! in braces (the spec's Annex A.1), or not as GUIDs at all (`c001`). All
//! references are compared through [`key`]. On export every object gets
//! the GUID the study stores for it; things the study keeps no GUID for
//! (attributes, sites, sets) get a name-based one from the study's own
//! GUID, so two exports of the same study agree (spec §3.7 asks only that a
//! GUID be unique; tools such as ATLAS.ti 26 regenerate theirs each time,
//! which breaks any later comparison of two exports).

use sha2::{Digest, Sha256};

/// Returns the form GUIDs are compared in: trimmed, braces removed, lower case.
pub fn key(guid: &str) -> String {
    guid.trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .to_ascii_lowercase()
}

/// Returns true when `guid` matches the schema's `GUIDType` (after [`key`]).
pub fn is_guid(guid: &str) -> bool {
    let k = key(guid);
    let parts: Vec<&str> = k.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Returns a name-based GUID for `(kind, name)` within the study `study`:
/// the same inputs always give the same GUID (a UUIDv8 carrying the first
/// 122 bits of a SHA-256; RFC 9562 §5.8 allows custom hashes there).
pub fn derived(study: &str, kind: &str, name: &str) -> String {
    let mut hash = Sha256::new();
    for part in [study, kind, name] {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part.as_bytes());
    }
    let digest = hash.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// Returns `guid` if it is a GUID the schema accepts, else a derived one,
/// so an export stays valid even if a stored value was not a GUID.
pub fn valid_or_derived(guid: &str, study: &str, kind: &str) -> String {
    if is_guid(guid) {
        key(guid)
    } else {
        derived(study, kind, guid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_case_and_braces_compare_equal() {
        assert_eq!(
            key("{5215CC69-B628-4E02-AFB9-9BEEAEE55808}"),
            key("5215cc69-b628-4e02-afb9-9beeaee55808")
        );
        assert!(is_guid("{5215CC69-B628-4E02-AFB9-9BEEAEE55808}"));
        assert!(!is_guid("c001"));
        assert!(!is_guid("code-001-aaaa-bbbb-cccccccccccc"));
    }

    #[test]
    fn derived_guids_are_stable_distinct_and_valid() {
        let a = derived("s", "attribute", "age");
        assert_eq!(a, derived("s", "attribute", "age"));
        assert_ne!(a, derived("s", "attribute", "sex"));
        assert_ne!(a, derived("t", "attribute", "age"));
        // The length prefix keeps ("ab", "c") apart from ("a", "bc").
        assert_ne!(derived("s", "ab", "c"), derived("s", "a", "bc"));
        assert!(is_guid(&a));
    }
}
