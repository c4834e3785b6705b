//! Writes the study the analysis benchmarks run on: 1,000 sources of 30,000
//! chars at three sites (a third of them focus groups with four speakers),
//! three coders with their own 50-code trees (5 themes × 9 ideas), and about
//! 170,000 coded passages in all.
//!
//! `cargo run --release -p verbatim-store --example analysis_study -- OUT.vbt`
//! (used by `bench/analysis.sh`). Codings are bulk-inserted with SQL: how
//! they got there does not matter to the analyses timed.

use verbatim_core::{Format, NormalisedSource, SourceKind, SourceMetadata, Span, Turn};
use verbatim_store::{ImportItem, NewCode, SqliteStore, Store, StudySettings};

const SOURCES: usize = 1_000;
const CHARS: usize = 30_000;
const PER_CODER: usize = 57_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "bench/out/studies/analysis.vbt".into());
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{path}{suffix}"));
    }
    let path = std::path::PathBuf::from(path);
    let mut store = SqliteStore::create(&path, &StudySettings::titled("analysis bench"), "bench")?;
    let words = [
        "confiance",
        "méfiance",
        "équipe",
        "usager",
        "relation",
        "contrôle",
        "soin",
        "et",
        "la",
        "on",
    ];
    let mut batch = Vec::new();
    for i in 0..SOURCES {
        let mut text = String::with_capacity(CHARS * 2);
        let (mut w, mut chars) = (i, 0);
        while chars < CHARS {
            let word = words[w % words.len()];
            text.push_str(word);
            text.push(' ');
            chars += word.chars().count() + 1;
            w = w.wrapping_mul(31).wrapping_add(7);
        }
        let text: String = text.chars().take(CHARS).collect();
        let focus = i % 3 == 0;
        let speakers: Vec<String> = if focus {
            (0..4).map(|k| format!("P{i:04}-{k}")).collect()
        } else {
            vec![format!("P{i:04}")]
        };
        let turn_len = CHARS / 20;
        let turns = (0..20)
            .map(|t| -> Result<Turn, verbatim_core::CoreError> {
                Ok(Turn {
                    speaker: if t % 2 == 0 {
                        "INT".into()
                    } else {
                        speakers[(t / 2) % speakers.len()].clone()
                    },
                    span: Span::new(t * turn_len, (t + 1) * turn_len - 1)?,
                    begin_ms: None,
                    end_ms: None,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        batch.push(ImportItem {
            name: format!("doc_{i:04}"),
            original_path: None,
            kind: if focus {
                SourceKind::FocusGroup
            } else {
                SourceKind::Interview
            },
            site: Some(["CH", "CS", "CA"][i % 3].to_owned()),
            language: None,
            source: NormalisedSource::new(
                Format::Txt,
                text,
                turns,
                vec![],
                SourceMetadata::default(),
            )?,
        });
        if batch.len() == 100 {
            store.import_batch("bench", std::mem::take(&mut batch))?;
        }
    }
    let mut ideas_of = Vec::new();
    for c in ["c1", "c2", "c3"] {
        store.add_coder("bench", c, None, None)?;
        let scope = store.scope(c, false, false)?;
        let mut ideas = Vec::new();
        for t in 0..5 {
            let theme = store.add_code(
                &scope,
                &NewCode {
                    name: format!("{c} theme {t}"),
                    level: Some("theme".into()),
                    ..NewCode::default()
                },
            )?;
            for k in 0..9 {
                ideas.push(store.add_code(
                    &scope,
                    &NewCode {
                        name: format!("{c} idea {t}.{k}"),
                        level: Some("idea".into()),
                        parent: Some(theme),
                        ..NewCode::default()
                    },
                )?);
            }
        }
        ideas_of.push(ideas);
    }
    drop(store);
    let mut conn = rusqlite::Connection::open(&path)?;
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare(
            "INSERT INTO codings (guid, source_id, code_id, coder_id, start_char, end_char, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, '2026-01-01T00:00:00Z')",
        )?;
        for (c, ideas) in ideas_of.iter().enumerate() {
            for k in 0..PER_CODER {
                let source = (k % SOURCES) as i64 + 1;
                // Coders agree on the idea most of the time, with offsets.
                let idea = ideas[(k / SOURCES + (k % 7 == 0) as usize * c) % ideas.len()];
                let start = ((k * 7919 + c * 37) % (CHARS - 700)) as i64;
                stmt.execute(rusqlite::params![
                    format!("bench-{c}-{k}"),
                    source,
                    idea,
                    c as i64 + 1,
                    start,
                    start + 150 + (k % 500) as i64
                ])?;
            }
        }
    }
    tx.commit()?;
    println!("wrote {} with {} codings", path.display(), 3 * PER_CODER);
    Ok(())
}
