//! Opening a QualCoder project: timings on synthetic `data.qda` files.
//!
//! Writes QualCoder's tables for N sources (about 2,500 words each, an
//! emoji every ~30 words, so positions are UTF-16 units that differ from
//! code points), 10 categories × 10 codes and 100 codings per source by
//! three owners, each with its stored `seltext`; then times reading the
//! SQLite file into the model, the plan (every coding's words checked),
//! and the one-transaction write into a new study.
//!
//! Run: `cargo run --release -p verbatim-exchange --example qualcoder_bench [SOURCES...]`

use std::time::Instant;

use rusqlite::{Connection, params};
use verbatim_exchange::refi::{self, ImportOptions};
use verbatim_store::{SqliteStore, StudySettings};

mod synthetic;

type Error = Box<dyn std::error::Error>;

/// Writes a `data.qda` of `sources` sources; returns its coding count.
fn write(path: &std::path::Path, sources: usize) -> Result<usize, Error> {
    let mut conn = Connection::open(path)?;
    conn.execute_batch(
        "CREATE TABLE source (id integer primary key, name text, fulltext text, mediapath text, memo text, owner text, date text);
         CREATE TABLE code_cat (catid integer primary key, name text, owner text, date text, memo text, supercatid integer);
         CREATE TABLE code_name (cid integer primary key, name text, memo text, owner text, date text, catid integer, color text);
         CREATE TABLE code_text (ctid integer primary key, cid integer, fid integer, seltext text, pos0 integer, pos1 integer, owner text, date text, memo text, avid integer, important integer);",
    )?;
    let tx = conn.transaction()?;
    for c in 0..10 {
        tx.execute(
            "INSERT INTO code_cat VALUES (?1, ?2, 'léa', '2024-03-05 10:00:00', NULL, NULL)",
            params![c + 1, format!("Thème {c}")],
        )?;
        for k in 0..10 {
            tx.execute(
                "INSERT INTO code_name VALUES (?1, ?2, NULL, 'léa', '2024-03-05 10:00:00', ?3, NULL)",
                params![c * 10 + k + 1, format!("Idée {c}.{k}"), c + 1],
            )?;
        }
    }
    let owners = ["léa", "marc", "nadia"];
    let mut codings = 0;
    for s in 0..sources {
        let t = synthetic::text(s, 2_500);
        tx.execute(
            "INSERT INTO source VALUES (?1, ?2, ?3, NULL, NULL, 'léa', '2024-03-05 10:00:00')",
            params![s as i64 + 1, format!("Entretien {s:04}"), t],
        )?;
        // Qt positions: UTF-16 units of each char boundary.
        let mut units = Vec::with_capacity(t.len() + 1);
        let mut bytes = Vec::with_capacity(t.len() + 1);
        let mut u = 0;
        for (b, ch) in t.char_indices() {
            units.push(u);
            bytes.push(b);
            u += ch.len_utf16();
        }
        units.push(u);
        bytes.push(t.len());
        let chars = units.len() - 1;
        let step = chars / 101;
        for k in 0..100 {
            let (a, b) = (k * step, k * step + step.max(2) - 1);
            tx.execute(
                "INSERT INTO code_text (cid, fid, seltext, pos0, pos1, owner, date) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, '2024-03-05 10:00:00')",
                params![
                    ((s + k) % 100) as i64 + 1,
                    s as i64 + 1,
                    &t[bytes[a]..bytes[b]],
                    units[a] as i64,
                    units[b] as i64,
                    owners[k % 3]
                ],
            )?;
            codings += 1;
        }
    }
    tx.commit()?;
    Ok(codings)
}

/// Returns this process's CPU time (user + system) in seconds (Linux).
fn cpu() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
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
    println!("| sources | codings | data.qda | read / plan / write (wall) | total wall / CPU |");
    println!("|---:|---:|---:|---:|---:|");
    for n in sizes {
        let path = dir.path().join(format!("data-{n}.qda"));
        let codings = write(&path, n)?;
        let size = std::fs::metadata(&path)?.len() as f64 / 1e6;
        let started = Instant::now();
        let cpu_started = cpu();
        let read = refi::qualcoder::read_qualcoder(&path, "data.qda")?;
        let read_at = started.elapsed();
        let mut store = SqliteStore::create(
            &dir.path().join(format!("study-{n}.vbt")),
            &StudySettings::titled("bench"),
            "bench",
        )?;
        let options = ImportOptions {
            as_coder: None,
            fallback_coder: "bench".into(),
            levels: store.levels()?.into_iter().map(|l| l.name).collect(),
        };
        let (plan, report) = refi::plan_import(&read, &options);
        let plan_at = started.elapsed();
        let counts = store.import_project("bench", &plan)?;
        let total = started.elapsed();
        let total_cpu = cpu() - cpu_started;
        assert_eq!(counts.codings, codings, "{report:?}");
        assert!(report.skipped.is_empty(), "{:?}", report.skipped);
        println!(
            "| {n} | {codings} | {size:.1} MB | {:.2} / {:.2} / {:.2} s | {:.2} s / {:.2} s |",
            read_at.as_secs_f64(),
            (plan_at - read_at).as_secs_f64(),
            (total - plan_at).as_secs_f64(),
            total.as_secs_f64(),
            total_cpu
        );
    }
    Ok(())
}
