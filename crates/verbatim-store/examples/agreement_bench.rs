//! Benchmark of intercoder agreement on a large study: 3 coders, 1,000
//! sources of 30,000 chars, 50 shared codes, about 170,000 codings.
//!
//! Run with `cargo run --release -p verbatim-store --example agreement_bench
//! -- [OUT_DIR]` (see BENCHMARKS.md). Setup imports the sources through the
//! store and bulk-inserts the codings with plain SQL in one transaction;
//! what is measured is the public path of `verbatim agreement`: reading the
//! spans (`SqliteStore::agreement_data`, with which coder coded which
//! source) and comparing each pair on the sources both coded
//! (`verbatim_analysis::agreement::compare_coded`), pooled and by source.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use verbatim_analysis::agreement::{self, Passage};
use verbatim_analysis::domain_alpha::{Coincidences, ValuedSegment};
use verbatim_analysis::reliability::Estimate;
use verbatim_core::{Format, NormalisedSource, SourceKind, SourceMetadata, Span, Turn};
use verbatim_store::AgreementReads;
use verbatim_store::agreement_data::AgreementData;
use verbatim_store::{Book, ImportItem, NewCode, Scope, SqliteStore, Store, StudySettings};

const SOURCES: usize = 1_000;
const CHARS: usize = 30_000;
const CODES: usize = 50;
const CODERS: [&str; 3] = ["ana", "ben", "chloe"];
/// Passages per source that coders may code; each coder codes each with
/// probability 85 % and moves its bounds by up to ±30 chars.
const PASSAGES_PER_SOURCE: usize = 66;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("bench/out/studies"), PathBuf::from);
    std::fs::create_dir_all(&out)?;
    let path = out.join("agreement.vbt");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let t = Instant::now();
    let codings = build(&path)?;
    eprintln!(
        "setup: {codings} codings in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let mut store = SqliteStore::open(&path)?;
    store.reveal("bench")?;
    let scope = store.scope("ana", true, false)?;
    let mut times = Times::default();
    let mut summary = String::new();
    for _ in 0..5 {
        summary = one_run(&store, &scope, &mut times)?;
    }
    eprintln!("{summary}");
    times.print();
    Ok(())
}

/// The times of the 5 runs, step by step.
#[derive(Default)]
struct Times {
    loads: Vec<Duration>,
    coded_by: Vec<Duration>,
    pooled: Vec<Duration>,
    by_source: Vec<Duration>,
    domains: Vec<Duration>,
}

impl Times {
    /// Prints the table of medians and minima.
    fn print(mut self) {
        println!("| step | median of 5 | min |");
        println!("|---|---:|---:|");
        for (name, samples) in [
            ("read spans (agreement_data)", &mut self.loads),
            (
                "of which: the sources each coder coded (3 × sources_coded_by_id)",
                &mut self.coded_by,
            ),
            ("compare, pooled", &mut self.pooled),
            ("compare, with --by source rows", &mut self.by_source),
            (
                "cu-alpha in 5 domains of 10 codes, and Cu-alpha",
                &mut self.domains,
            ),
        ] {
            samples.sort_unstable();
            println!("| {name} | {} | {} |", ms(samples[2]), ms(samples[0]));
        }
    }
}

/// Measures one run: the sources each coder coded, reading the spans, then
/// comparing pooled (with the domains' alphas) and by source; returns the
/// sentence that sums the comparison up.
fn one_run(
    store: &SqliteStore,
    scope: &Scope,
    times: &mut Times,
) -> Result<String, Box<dyn std::error::Error>> {
    let t = Instant::now();
    for coder in store.coders()? {
        store.sources_coded_by_id(coder.id)?;
    }
    times.coded_by.push(t.elapsed());
    let t = Instant::now();
    let data = store.agreement_data(scope, &[], None)?;
    times.loads.push(t.elapsed());
    let (passages, sources) = compared(&data);
    let mut summary = String::new();
    for keep in [false, true] {
        let mut p = passages.clone();
        let t = Instant::now();
        let c = agreement::compare_coded(
            data.coders.len(),
            data.codes.len(),
            &sources,
            &mut p,
            agreement::Settings {
                threshold: 0.9,
                overlap_base: agreement::OverlapBase::Union,
                by_source: keep,
            },
        );
        if keep {
            times.by_source.push(t.elapsed());
        } else {
            times.pooled.push(t.elapsed());
            let t = Instant::now();
            let (within, across) = domain_alphas(&data, &passages);
            times.domains.push(t.elapsed());
            eprintln!("cu-alpha of domain 0: {within}; Cu-alpha: {across}");
        }
        let pair = &c.overall.pairs[0];
        summary = format!(
            "{} passages, {} codes, {} sources; overall ana/ben kappa {}, Fleiss {}, segment agreement {}",
            data.spans.len(),
            data.codes.len(),
            data.sources.len(),
            pair.chars.kappa,
            c.overall.group.fleiss,
            pair.segments.percent,
        );
    }
    Ok(summary)
}

/// The spans and sources of the agreement data as the comparison takes
/// them.
fn compared(data: &AgreementData) -> (Vec<Passage>, Vec<agreement::ComparedSource>) {
    let passages: Vec<Passage> = data
        .spans
        .iter()
        .map(|s| Passage {
            source: s.source,
            code: s.code,
            coder: s.coder,
            start: s.start,
            end: s.end,
        })
        .collect();
    let sources: Vec<agreement::ComparedSource> = data
        .sources
        .iter()
        .map(|s| agreement::ComparedSource {
            chars: s.chars,
            coded_by: s.coded_by.clone(),
        })
        .collect();
    (passages, sources)
}

/// cu-α of five domains of ten codes each (code `i` in domain `i / 10`),
/// and Cu-α across them, as `verbatim agreement --domain` computes them.
fn domain_alphas(data: &AgreementData, passages: &[Passage]) -> (Estimate, Estimate) {
    const DOMAIN: usize = 10;
    let domains = data.codes.len().div_ceil(DOMAIN);
    let (coders, sources) = (data.coders.len(), data.sources.len());
    let mut within: Vec<Vec<Vec<Vec<ValuedSegment>>>> =
        vec![vec![vec![Vec::new(); coders]; sources]; domains];
    let mut across = vec![vec![Vec::new(); coders]; sources];
    for p in passages {
        let (start, end) = (p.start, p.end);
        within[p.code / DOMAIN][p.source][p.coder].push(ValuedSegment {
            start,
            end,
            value: p.code % DOMAIN,
        });
        across[p.source][p.coder].push(ValuedSegment {
            start,
            end,
            value: p.code / DOMAIN,
        });
    }
    let mut first = None;
    for per_domain in &within {
        let mut table = Coincidences::new(DOMAIN);
        for per_coder in per_domain {
            table.add(per_coder);
        }
        first.get_or_insert(table.alpha().alpha);
    }
    let mut table = Coincidences::new(domains);
    for per_coder in &across {
        table.add(per_coder);
    }
    let undefined = Estimate::Undefined {
        reason: verbatim_analysis::reliability::UndefinedReason::NoVariation,
    };
    (first.unwrap_or(undefined), table.alpha().alpha)
}

/// Builds the study and returns the number of codings.
fn build(path: &std::path::Path) -> Result<usize, Box<dyn std::error::Error>> {
    let mut store = SqliteStore::create(path, &StudySettings::titled("bench"), "bench")?;
    let mut batch = Vec::new();
    for i in 0..SOURCES {
        // Unique per source (duplicates are skipped on import), chars ≠ bytes.
        let label = format!("doc {i:04} ");
        let text: String = label
            .chars()
            .chain((label.len()..CHARS).map(|k| if (k + i) % 7 == 0 { ' ' } else { 'é' }))
            .collect();
        let source = NormalisedSource::new(
            Format::Txt,
            text,
            vec![Turn {
                speaker: Some("P01".into()),
                span: Span::new(0, CHARS)?,
                begin_ms: None,
                end_ms: None,
            }],
            vec![],
            SourceMetadata::default(),
        )?;
        batch.push(ImportItem {
            name: format!("doc_{i:04}"),
            original_path: None,
            kind: SourceKind::Interview,
            site: None,
            language: None,
            source,
        });
        if batch.len() == 100 {
            store.import_batch("bench", std::mem::take(&mut batch))?;
        }
    }
    assert_eq!(store.sources()?.len(), SOURCES, "every source imported");
    let mut coder_ids = Vec::new();
    for coder in CODERS {
        store.add_coder("bench", coder, None, None)?;
        // By name: the consensus layer's row takes an id of its own.
        coder_ids.push(store.coder_by_name(coder)?.ok_or("coder just added")?.id);
    }
    let scope = store.scope("ana", false, false)?;
    let mut codes = Vec::new();
    for c in 0..CODES {
        codes.push(store.add_code(
            &scope,
            &NewCode {
                name: format!("Code {c:02}"),
                book: Some(Book::Shared),
                ..NewCode::default()
            },
        )?);
    }
    drop(store);
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut conn = rusqlite::Connection::open(path)?;
    let tx = conn.transaction()?;
    let mut inserted = 0;
    {
        let mut stmt = tx.prepare(
            "INSERT OR IGNORE INTO codings (guid, source_id, code_id, coder_id, start_char, end_char, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, '2026-01-01T00:00:00Z')",
        )?;
        for source in 1..=SOURCES as i64 {
            for _ in 0..PASSAGES_PER_SOURCE {
                let code = codes[(next() % CODES as u64) as usize];
                let start = (next() % (CHARS as u64 - 1_200)) as i64 + 100;
                let end = start + 50 + (next() % 1_000) as i64;
                for &coder in &coder_ids {
                    if next() % 100 >= 85 {
                        continue;
                    }
                    let jitter = |r: u64| (r % 61) as i64 - 30;
                    let s = start + jitter(next());
                    let e = (end + jitter(next())).max(s + 1);
                    inserted += stmt.execute(rusqlite::params![
                        format!("bench-{source}-{coder}-{s}-{e}-{code}"),
                        source,
                        code,
                        coder,
                        s,
                        e
                    ])?;
                }
            }
        }
    }
    tx.commit()?;
    Ok(inserted)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1_000.0)
}
