//! Lookups by a name someone typed, answered alike on SQLite and
//! PostgreSQL when the name holds a NUL (U+0000).
//!
//! No stored name holds a NUL: every write refuses one first
//! (`boundary::rules::storable`). SQLite looks such a name up and finds
//! nothing; PostgreSQL refuses a NUL in a query's text outright. So each
//! lookup by a given name goes through [`by_name`], which answers "none"
//! without asking the server, and the caller says what SQLite says for an
//! unknown name.

/// Returns what `ask` answers for `name`, or the empty answer (`None`, no
/// rows) without asking when `name` holds a NUL, which no row can match.
pub(crate) fn by_name<T: Default, E>(
    name: &str,
    ask: impl FnOnce() -> Result<T, E>,
) -> Result<T, E> {
    if verbatim_core::storable::holds_nul(name) {
        Ok(T::default())
    } else {
        ask()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_with_a_nul_is_not_asked_for() {
        let asked = by_name("Con\0fiance", || -> Result<Option<i64>, ()> {
            panic!("asked the server")
        });
        assert_eq!(asked, Ok(None));
        assert_eq!(by_name("Confiance", || Ok::<_, ()>(Some(7))), Ok(Some(7)));
    }
}
