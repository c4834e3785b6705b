//! Benchmark of the spreadsheet export: building the coded-segments table
//! and writing it as CSV and as XLSX, for studies of 1,000, 10,000 and
//! 100,000 codings; then the codebook import of a 1,000-code spreadsheet.
//!
//! Run with `cargo run --release -p verbatim-exchange --example
//! sheets_bench -- [OUT_DIR]` (see BENCHMARKS.md). The studies hold 1,000
//! sources of 6,000 chars, each one turn of a participant with two
//! attributes, one coder with 5 themes × 9 ideas; the codings are written
//! with plain SQL (how they got there does not matter to the export), every
//! measured step goes through the library as `verbatim export` calls it.

#[path = "../../verbatim-store/examples/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use verbatim_exchange::codebook::write_codebook;
use verbatim_exchange::sheets::codebook_in::{SheetKind, read_codebook_sheet};
use verbatim_exchange::sheets::csv_out::{CsvOptions, write_csv};
use verbatim_exchange::sheets::segments::{SegmentFilter, segments_table};
use verbatim_exchange::sheets::xlsx_out::write_xlsx;
use verbatim_store::{AppliesTo, AttrType, Book, NewParticipant, SqliteStore, StudySettings};

const SOURCES: usize = 1_000;
const CHARS: usize = 6_000;
const WORDS: &[&str] = &[
    "confiance",
    "méfiance",
    "équipe",
    "usager",
    "relation",
    "contrôle",
    "soin",
    "écoute",
    "rechute",
    "cadre",
    "règle",
    "épuisement",
    "limite",
    "parole",
    "temps",
    "et",
    "la",
    "le",
    "de",
    "on",
    "c’est",
    "pas",
    "euh",
    "vraiment",
    "toujours",
];

fn main() -> Result<(), common::Error> {
    let out = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("bench/out/sheets"), PathBuf::from);
    std::fs::create_dir_all(&out)?;
    println!(
        "| codings | build rows wall (CPU) | write CSV wall (CPU), size | write XLSX wall (CPU), size | CSV total wall (CPU) | XLSX total wall (CPU) |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    for total in [1_000usize, 10_000, 100_000] {
        let path = out.join(format!("sheets-{total}.vbt"));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        let store = build(&path, total)?;
        let scope = store.scope("bench", false, false)?;
        let t = Clock::start();
        let table = segments_table(&store, &scope, SegmentFilter::default())?;
        let rows = t.stop();
        assert_eq!(table.rows.len(), total);
        let csv_path = out.join(format!("segments-{total}.csv"));
        let t = Clock::start();
        write_csv(
            &table,
            CsvOptions::default(),
            std::io::BufWriter::new(std::fs::File::create(&csv_path)?),
        )?;
        let csv = t.stop();
        let xlsx_path = out.join(format!("segments-{total}.xlsx"));
        let t = Clock::start();
        write_xlsx(
            &[&table],
            std::io::BufWriter::new(std::fs::File::create(&xlsx_path)?),
        )?;
        let xlsx = t.stop();
        println!(
            "| {total} | {} | {}, {} | {}, {} | {} | {} |",
            rows.show(),
            csv.show(),
            mb(&csv_path)?,
            xlsx.show(),
            mb(&xlsx_path)?,
            rows.plus(csv).show(),
            rows.plus(xlsx).show(),
        );
    }
    codebook_import(&out)?;
    Ok(())
}

/// Times reading and storing a 1,000-code codebook (100 themes × 9 ideas
/// with definitions, under 10 meta-themes) from CSV.
fn codebook_import(out: &Path) -> Result<(), common::Error> {
    let path = out.join("codebook.vbt");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let mut store = SqliteStore::create(&path, &StudySettings::titled("bench"), "bench")?;
    store.add_coder("bench", "bench", None, None)?;
    let mut csv = String::from("code path;level;definition\n");
    for m in 0..10 {
        csv.push_str(&format!("Méta {m};meta-theme;Regroupe les thèmes {m}x\n"));
        for t in 0..10 {
            csv.push_str(&format!("Méta {m} / Thème {m}.{t};theme;\n"));
            for i in 0..9 {
                csv.push_str(&format!(
                    "Méta {m} / Thème {m}.{t} / Idée {m}.{t}.{i};idée;Ce que dit l’idée {m}.{t}.{i}\n"
                ));
            }
        }
    }
    let levels = store.levels()?;
    let scope = store.scope("bench", false, false)?;
    let t = Clock::start();
    let read = read_codebook_sheet(SheetKind::Csv, csv.as_bytes(), &levels)?;
    let parsed = t.stop();
    let written = write_codebook(&mut store, &scope, Book::Own, &read.entries)?;
    let total = t.stop();
    println!(
        "\nCodebook import, {} codes from CSV: read {}, read and stored {}.",
        written.codes,
        parsed.show(),
        total.show()
    );
    Ok(())
}

/// Returns a study of SOURCES one-turn sources spoken by participant P01
/// (with two attributes), one coder with 5 themes × 9 ideas, and `total`
/// codings spread over sources and ideas, one in ten marked as a quote with
/// an English translation.
fn build(path: &Path, total: usize) -> Result<SqliteStore, common::Error> {
    let mut store = SqliteStore::create(path, &StudySettings::titled("bench"), "bench")?;
    common::import_all(
        &mut store,
        (0..SOURCES).map(|i| {
            let mut text = String::with_capacity(CHARS * 2);
            let mut w = i;
            while text.chars().count() < CHARS {
                text.push_str(WORDS[w % WORDS.len()]);
                text.push(' ');
                w = w.wrapping_mul(31).wrapping_add(7);
            }
            common::one_turn_source(format!("doc_{i:04}"), text.chars().take(CHARS).collect())
        }),
    )?;
    store.add_participant(
        "bench",
        &NewParticipant {
            code: Some("P01".into()),
            ..NewParticipant::default()
        },
    )?;
    for (name, kind) in [("age", AttrType::Number), ("occupation", AttrType::Text)] {
        store.define_attribute("bench", name, AppliesTo::Participant, kind, &[])?;
    }
    store.set_participant(
        "bench",
        "P01",
        None,
        None,
        &[
            ("age".into(), "41".into()),
            ("occupation".into(), "infirmière".into()),
        ],
    )?;
    store.add_coder("bench", "bench", None, None)?;
    let scope = store.scope("bench", false, false)?;
    let ideas: Vec<i64> = common::theme_tree(&mut store, &scope, "", 5, 9)?.concat();
    drop(store);
    let mut conn = rusqlite::Connection::open(path)?;
    let tx = conn.transaction()?;
    {
        let mut coding = tx.prepare(
            "INSERT INTO codings (guid, source_id, code_id, coder_id, start_char, end_char, is_quote, created_at) \
             VALUES ($1, $2, $3, (SELECT id FROM coders WHERE name = 'bench'), $4, $5, $6, '2026-01-01T00:00:00Z')",
        )?;
        let mut translation = tx.prepare(
            "INSERT INTO translations (coding_id, language, text) VALUES ($1, 'en', $2)",
        )?;
        for k in 0..total {
            let source = (k % SOURCES) as i64 + 1;
            let code = ideas[(k / SOURCES) % ideas.len()];
            let start = ((k * 7919) % (CHARS - 600)) as i64;
            let quote = k % 10 == 0;
            coding.execute(rusqlite::params![
                format!("bench-{k}"),
                source,
                code,
                start,
                start + 100 + (k % 400) as i64,
                quote,
            ])?;
            if quote {
                translation.execute(rusqlite::params![
                    tx.last_insert_rowid(),
                    "trust, mistrust, the team and the rules, as the participant says"
                ])?;
            }
        }
    }
    tx.commit()?;
    drop(conn);
    Ok(SqliteStore::open(path)?)
}

/// Wall-clock and CPU time of one step. The CPU time is this thread's
/// (`/proc/thread-self/schedstat`, Linux; every step is single-threaded),
/// which stays meaningful when other builds share the cores.
struct Clock {
    wall: Instant,
    cpu: Option<u64>,
}

#[derive(Clone, Copy)]
struct Spent {
    wall: Duration,
    cpu: Option<Duration>,
}

impl Clock {
    fn start() -> Self {
        Clock {
            wall: Instant::now(),
            cpu: cpu_ns(),
        }
    }

    fn stop(&self) -> Spent {
        Spent {
            wall: self.wall.elapsed(),
            cpu: self
                .cpu
                .zip(cpu_ns())
                .map(|(a, b)| Duration::from_nanos(b.saturating_sub(a))),
        }
    }
}

impl Spent {
    fn plus(self, other: Spent) -> Spent {
        Spent {
            wall: self.wall + other.wall,
            cpu: self.cpu.zip(other.cpu).map(|(a, b)| a + b),
        }
    }

    fn show(self) -> String {
        let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1_000.0);
        match self.cpu {
            Some(cpu) => format!("{} ({})", ms(self.wall), ms(cpu)),
            None => ms(self.wall),
        }
    }
}

fn cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn mb(path: &Path) -> Result<String, common::Error> {
    Ok(format!(
        "{:.1} MB",
        std::fs::metadata(path)?.len() as f64 / 1e6
    ))
}
