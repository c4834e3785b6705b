//! REFI-QDA export and import timings on synthetic studies.
//!
//! Builds studies of 10, 100 and 1,000 interview sources (about 2,500
//! words each, a few emoji) with a 100-code tree and 100 codings per
//! source by three coders, then times export (snapshot, model, XML, zip
//! to a file) and import (unzip, parse, plan, one transaction) of each.
//!
//! Run: `cargo run --release -p verbatim-exchange --example refi_bench [SOURCES...]`
//! With `REFI_BENCH_KEEP=DIR`, each `.qdpx` is also copied into DIR (to
//! time `verbatim import-project` with it, on a file or on PostgreSQL).

use std::time::Instant;

use verbatim_core::{Format, NormalisedSource, SourceKind, SourceMetadata, Span, Turn};
use verbatim_exchange::refi::{self, Caps, ImportOptions, Target};
use verbatim_store::{
    ImportItem, ImportPlan, PlanCode, PlanCoder, PlanCoding, PlanSource, SqliteStore, StudySettings,
};

mod synthetic;

type Error = Box<dyn std::error::Error>;

/// Returns the shared synthetic text with a last line naming the seed, so
/// no two sources hold the same text.
fn text(seed: usize, words: usize) -> String {
    let mut out = synthetic::text(seed, words);
    out.push_str(&format!("fin {seed}\n"));
    out
}

fn build(sources: usize, dir: &std::path::Path) -> Result<SqliteStore, Error> {
    let mut store = SqliteStore::create(
        &dir.join(format!("study-{sources}.vbt")),
        &StudySettings::titled("bench"),
        "bench",
    )?;
    let mut plan = ImportPlan {
        coders: ["amira", "bruno", "chloe"]
            .iter()
            .map(|n| PlanCoder {
                name: (*n).into(),
                guid: None,
            })
            .collect(),
        summary: serde_json::json!({}),
        ..ImportPlan::default()
    };
    for t in 0..10 {
        plan.codes.push(PlanCode {
            guid: None,
            owner: None,
            name: format!("Theme {t}"),
            level: 3,
            parent: None,
            colour: None,
            definition: Some(format!("Definition of theme {t}")),
            inclusion: None,
            exclusion: None,
            example: None,
            codable: true,
        });
        let parent = plan.codes.len() - 1;
        for i in 0..9 {
            plan.codes.push(PlanCode {
                guid: None,
                owner: None,
                name: format!("Idea {t}.{i}"),
                level: 1,
                parent: Some(parent),
                colour: None,
                definition: None,
                inclusion: None,
                exclusion: None,
                example: None,
                codable: true,
            });
        }
    }
    for s in 0..sources {
        let t = text(s, 2_500);
        let chars = t.chars().count();
        let source = NormalisedSource::new(
            Format::Txt,
            t,
            vec![Turn {
                speaker: Some("P01".into()),
                span: Span::new(0, chars)?,
                begin_ms: None,
                end_ms: None,
            }],
            vec![],
            SourceMetadata::default(),
        )?;
        plan.sources.push(PlanSource {
            guid: None,
            item: ImportItem {
                name: format!("Interview {s:04}"),
                original_path: None,
                kind: SourceKind::Interview,
                site: None,
                language: None,
                source,
            },
            speaker_map: Vec::new(),
        });
        let step = chars / 101;
        for k in 0..100 {
            let start = (k * step) as i64;
            plan.codings.push(PlanCoding {
                guid: None,
                source: s,
                code: (s + k) % 100,
                coder: k % 3,
                start,
                end: start + (step as i64).max(2) - 1,
                memo: None,
                created_at: None,
            });
        }
    }
    store.import_project("bench", &plan)?;
    Ok(store)
}

/// Returns this process's CPU time (user + system) in seconds, from
/// `/proc/self/stat` (Linux; 0 elsewhere): on a shared machine it is the
/// figure other builds running at the same time do not inflate.
fn cpu() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) start at ')'.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 here.
    (ticks(11) + ticks(12)) / 100.0
}

fn main() -> Result<(), Error> {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let sizes = if sizes.is_empty() {
        vec![10, 100, 1_000]
    } else {
        sizes
    };
    let dir = tempfile::tempdir()?;
    println!("| sources | codings | .qdpx size | export (wall / CPU) | import (wall / CPU) |");
    println!("|---:|---:|---:|---:|---:|");
    for n in sizes {
        let mut store = build(n, dir.path())?;
        store.reveal("bench")?;
        let scope = store.scope("amira", true, false)?;

        let started = Instant::now();
        let cpu_started = cpu();
        let snapshot = store.snapshot(&scope)?;
        let snap_at = started.elapsed();
        let exported = refi::export_project(&snapshot, Target::Refi, "verbatim bench");
        if std::env::var_os("PHASES").is_some() {
            eprintln!(
                "{n}: snapshot {:.2} s, model {:.2} s",
                snap_at.as_secs_f64(),
                (started.elapsed() - snap_at).as_secs_f64()
            );
        }
        let out = dir.path().join(format!("bench-{n}.qdpx"));
        let file = std::io::BufWriter::new(std::fs::File::create(&out)?);
        refi::write_qdpx(file, &exported)?;
        let export = started.elapsed();
        let export_cpu = cpu() - cpu_started;
        let codings = snapshot.codings.len();
        drop((snapshot, exported));
        if let Some(keep) = std::env::var_os("REFI_BENCH_KEEP") {
            std::fs::copy(
                &out,
                std::path::Path::new(&keep).join(format!("bench-{n}.qdpx")),
            )?;
        }

        let started = Instant::now();
        let cpu_started = cpu();
        let bytes = std::fs::read(&out)?;
        let read = refi::read_project(&bytes, "bench.qdpx", None, None, Caps::default())?;
        let mut target = SqliteStore::create(
            &dir.path().join(format!("back-{n}.vbt")),
            &StudySettings::titled("back"),
            "bench",
        )?;
        let options = ImportOptions {
            as_coder: None,
            fallback_coder: "bench".into(),
            levels: target.levels()?.into_iter().map(|l| l.name).collect(),
        };
        let read_at = started.elapsed();
        let read_cpu = cpu();
        let (plan, report) = refi::plan_import(&read, &options);
        let plan_at = started.elapsed();
        let plan_cpu = cpu();
        let counts = target.import_project("bench", &plan)?;
        let import = started.elapsed();
        let import_cpu = cpu() - cpu_started;
        let import_cpu_write = cpu() - plan_cpu;
        if std::env::var_os("PHASES").is_some() {
            eprintln!(
                "{n}: read {:.2} s, plan {:.2} s, write {:.2} s (wall); CPU {:.2} / {:.2} / {:.2} s",
                read_at.as_secs_f64(),
                (plan_at - read_at).as_secs_f64(),
                (import - plan_at).as_secs_f64(),
                read_cpu - cpu_started,
                plan_cpu - read_cpu,
                import_cpu_write,
            );
        }
        assert_eq!(counts.codings, codings, "{report:?}");
        assert!(report.skipped.is_empty(), "{report:?}");
        println!(
            "| {n} | {codings} | {:.1} MB | {:.2} s / {export_cpu:.2} s | {:.2} s / {import_cpu:.2} s |",
            bytes.len() as f64 / 1e6,
            export.as_secs_f64(),
            import.as_secs_f64()
        );
    }
    Ok(())
}
