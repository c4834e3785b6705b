//! Opening a Taguette project: timings on synthetic `.sqlite3` files.
//!
//! Writes Taguette's tables for N documents (about 2,500 words each, one
//! `<p>` per line of 12 words, an emoji every ~30 words, so Taguette's
//! UTF-8 byte offsets differ from char positions and from the text
//! verbatim stores, which has a line break per paragraph), 10 × 10 tags
//! nested by their path (`thème0.idée3`), and 100 highlights per document
//! by three users (each with its `snippet` and its `highlight_add`
//! command), with Taguette's indexes; then times reading the file into
//! the model (every highlight checked against its snippet), the plan and
//! the one-transaction write.
//!
//! Run: `cargo run --release -p verbatim-exchange --example taguette_bench [SOURCES...]`

use std::time::Instant;

use rusqlite::{Connection, params};
use verbatim_exchange::refi::{self, ImportOptions};
use verbatim_store::{SqliteStore, StudySettings};

mod synthetic;

type Error = Box<dyn std::error::Error>;

/// Writes a Taguette `.sqlite3` of `sources` documents; returns its
/// highlight count.
fn write(path: &std::path::Path, sources: usize) -> Result<usize, Error> {
    let mut conn = Connection::open(path)?;
    conn.execute_batch(
        "CREATE TABLE projects (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL, description TEXT NOT NULL, created DATETIME NOT NULL);
         CREATE TABLE project_members (project_id INTEGER NOT NULL, user_login VARCHAR(30) NOT NULL, privileges VARCHAR(11) NOT NULL, PRIMARY KEY (project_id, user_login));
         CREATE TABLE documents (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL, description TEXT NOT NULL, filename VARCHAR(200) NOT NULL, created DATETIME NOT NULL, project_id INTEGER NOT NULL, text_direction VARCHAR(13) NOT NULL, contents TEXT NOT NULL);
         CREATE TABLE commands (id INTEGER NOT NULL PRIMARY KEY, date DATETIME NOT NULL, user_login VARCHAR(30) NOT NULL, project_id INTEGER NOT NULL, document_id INTEGER, payload TEXT NOT NULL);
         CREATE TABLE highlights (id INTEGER NOT NULL PRIMARY KEY, document_id INTEGER NOT NULL, start_offset INTEGER NOT NULL, end_offset INTEGER NOT NULL, snippet TEXT NOT NULL);
         CREATE TABLE tags (id INTEGER NOT NULL PRIMARY KEY, project_id INTEGER NOT NULL, path VARCHAR(200) NOT NULL, description TEXT NOT NULL, UNIQUE (project_id, path));
         CREATE TABLE highlight_tags (highlight_id INTEGER NOT NULL, tag_id INTEGER NOT NULL, PRIMARY KEY (highlight_id, tag_id));
         CREATE INDEX ix_documents_project_id ON documents (project_id);
         CREATE INDEX ix_commands_project_id ON commands (project_id);
         CREATE INDEX ix_highlights_document_id ON highlights (document_id);
         CREATE INDEX ix_tags_project_id ON tags (project_id);
         CREATE INDEX ix_highlight_tags_highlight_id ON highlight_tags (highlight_id);
         CREATE INDEX ix_highlight_tags_tag_id ON highlight_tags (tag_id);
         INSERT INTO projects VALUES (1, 'bench', '', '2024-03-05 10:00:00');",
    )?;
    let tx = conn.transaction()?;
    for t in 0..100 {
        tx.execute(
            "INSERT INTO tags VALUES (?1, 1, ?2, '')",
            params![t + 1, format!("thème{}.idée{}", t / 10, t % 10)],
        )?;
    }
    let owners = ["lea", "marc", "nadia"];
    let mut highlights = 0i64;
    for s in 0..sources {
        let t = synthetic::text(s, 2_500);
        let lines: Vec<&str> = t.lines().collect();
        let html: String = lines.iter().map(|l| format!("<p>{l}</p>")).collect();
        // Taguette's text: the paragraphs' text nodes, run together.
        let nodes: String = lines.concat();
        tx.execute(
            "INSERT INTO documents VALUES (?1, ?2, '', 'e.txt', '2024-03-05 10:00:00', 1, 'LEFT_TO_RIGHT', ?3)",
            params![s as i64 + 1, format!("Entretien {s:04}"), html],
        )?;
        let bytes: Vec<usize> = nodes
            .char_indices()
            .map(|(b, _)| b)
            .chain([nodes.len()])
            .collect();
        let chars = bytes.len() - 1;
        let step = chars / 101;
        for k in 0..100 {
            let (a, b) = (bytes[k * step], bytes[k * step + step.max(2) - 1]);
            highlights += 1;
            tx.execute(
                "INSERT INTO highlights VALUES (?1, ?2, ?3, ?4, ?5)",
                params![highlights, s as i64 + 1, a as i64, b as i64, &nodes[a..b]],
            )?;
            tx.execute(
                "INSERT INTO highlight_tags VALUES (?1, ?2)",
                params![highlights, ((s + k) % 100) as i64 + 1],
            )?;
            let payload = format!(
                r#"{{"end_offset": {b}, "highlight_id": {highlights}, "start_offset": {a}, "tags": [], "type": "highlight_add"}}"#
            );
            tx.execute(
                "INSERT INTO commands (date, user_login, project_id, document_id, payload) \
                 VALUES ('2024-03-05 10:00:00', ?1, 1, ?2, ?3)",
                params![owners[k % 3], s as i64 + 1, payload],
            )?;
        }
    }
    tx.commit()?;
    Ok(highlights as usize)
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
    println!("| sources | codings | .sqlite3 | read / plan / write (wall) | total wall / CPU |");
    println!("|---:|---:|---:|---:|---:|");
    for n in sizes {
        let path = dir.path().join(format!("taguette-{n}.sqlite3"));
        let codings = write(&path, n)?;
        let size = std::fs::metadata(&path)?.len() as f64 / 1e6;
        let started = Instant::now();
        let cpu_started = cpu();
        let read = refi::read_database(&path, "taguette.sqlite3")?;
        assert!(read.report.skipped.is_empty(), "{:?}", read.report.skipped);
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
