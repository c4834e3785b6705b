//! Codes an imported study for the side-by-side benchmark
//! (`bench/backends.sh`): three coders (ana, ben, chloe), a shared
//! codebook of 5 themes × 10 ideas, and `CODINGS` (default 100,000)
//! codings spread evenly over every source, added through the `Codings`
//! trait in undoable batches of 2,000, so the file study and the
//! PostgreSQL study get the same codings by the same path.
//!
//! The three coders code the same passages: each coder's bounds move by
//! 0–20 chars and one coding in ten takes the next idea, so the coders
//! agree often but not always (for `verbatim agreement`).
//!
//! Usage: `cargo run --release -p verbatim-store-pg --example seed_codings
//! -- STUDY` where STUDY is a study file or
//! `postgres://USER@HOST:PORT/DB?study=NAME`.

use std::error::Error;
use std::time::Instant;

use verbatim_core::Span;
use verbatim_store::{Book, Codebook, Coders, Codings, NewCode, SqliteStore, Store};
use verbatim_store_pg::{PgAddress, PgStore};

const CODERS: [&str; 3] = ["ana", "ben", "chloe"];
const THEMES: [&str; 5] = ["Confiance", "Soin", "Travail", "Famille", "Avenir"];
const IDEAS_PER_THEME: usize = 10;
const BATCH: usize = 2_000;

/// One planned coding: source, passage, code.
type Item = (i64, Span, i64);

fn main() -> Result<(), Box<dyn Error>> {
    let study = std::env::args()
        .nth(1)
        .ok_or("say which study: seed_codings STUDY (a file or a postgres:// address)")?;
    let codings: usize = match std::env::var("CODINGS") {
        Ok(n) => n.parse()?,
        Err(_) => 100_000,
    };
    let started = Instant::now();
    let added = if PgAddress::is_postgres(&study) {
        seed(&mut PgStore::open(&study.parse()?)?, codings)?
    } else {
        seed(
            &mut SqliteStore::open(std::path::Path::new(&study))?,
            codings,
        )?
    };
    if added != codings {
        return Err(format!("{added} codings were new, {codings} were planned").into());
    }
    println!(
        "seeded {added} codings by {} coders in {:.1} s",
        CODERS.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Adds the coders, the shared codebook and `total` codings; returns how
/// many codings were new.
fn seed<S: Store + Coders + Codebook + Codings>(
    store: &mut S,
    total: usize,
) -> Result<usize, Box<dyn Error>> {
    for name in CODERS {
        store.add_coder("bench", name, None, None)?;
    }
    let ideas = codebook(store)?;
    let mut sources: Vec<(i64, usize)> = store
        .sources()?
        .into_iter()
        .map(|s| (s.id, usize::try_from(s.chars).unwrap_or(0)))
        .collect();
    sources.sort_unstable();
    if sources.is_empty() {
        return Err("the study has no sources: import transcripts first".into());
    }
    let mut added = 0;
    for (c, name) in CODERS.iter().enumerate() {
        let scope = store.scope(name, false, false)?;
        let items = plan(c, total, &sources, &ideas)?;
        for batch in items.chunks(BATCH) {
            added += store.add_codings(&scope, batch)?;
        }
    }
    Ok(added)
}

/// Creates the shared codebook; returns the ideas' ids.
fn codebook<S: Coders + Codebook>(store: &mut S) -> Result<Vec<i64>, Box<dyn Error>> {
    let scope = store.scope(CODERS[0], false, false)?;
    let mut ideas = Vec::new();
    for theme in THEMES {
        let parent = store.add_code(&scope, &shared(theme, "theme", None))?;
        for i in 1..=IDEAS_PER_THEME {
            let name = format!("{theme}{i}");
            ideas.push(store.add_code(&scope, &shared(&name, "idea", Some(parent)))?);
        }
    }
    Ok(ideas)
}

fn shared(name: &str, level: &str, parent: Option<i64>) -> NewCode {
    NewCode {
        name: name.into(),
        level: Some(level.into()),
        parent,
        book: Some(Book::Shared),
        ..NewCode::default()
    }
}

/// The codings of coder number `c`: coding `i` of all `total` belongs to
/// coder `i % 3`; its slot `i / 3` picks the source (slot modulo the
/// sources) and the passage within it (slot divided by the sources).
fn plan(
    c: usize,
    total: usize,
    sources: &[(i64, usize)],
    ideas: &[i64],
) -> Result<Vec<Item>, Box<dyn Error>> {
    let slots = total.div_ceil(CODERS.len());
    let passages = slots.div_ceil(sources.len());
    let mut items = Vec::new();
    for i in (c..total).step_by(CODERS.len()) {
        let slot = i / CODERS.len();
        let (source, chars) = sources[slot % sources.len()];
        let width = chars / passages;
        if width < 60 {
            return Err(format!("source {source} is too short for {passages} passages").into());
        }
        let h = mix(i as u64);
        let start = (slot / sources.len()) * width + (h % 21) as usize;
        let end = start + (width / 2).min(400) + ((h >> 8) % 21) as usize;
        let mut idea = slot * 7_919 % ideas.len();
        if (h >> 16).is_multiple_of(10) {
            idea = (idea + 1) % ideas.len();
        }
        items.push((source, Span::new(start, end.min(chars))?, ideas[idea]));
    }
    Ok(items)
}

/// A fixed scrambling of `x` (splitmix64), so every run plans the same codings.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
