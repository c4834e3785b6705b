//! Benchmark of theme-tree alignment: 3 coders × 1,000 sources of 30,000
//! chars × 50 codes each (5 themes × 9 ideas), about 170,000 passages.
//!
//! Run with `cargo run --release -p verbatim-store --example align_bench
//! -- [OUT_DIR]` (see BENCHMARKS.md). Setup writes the codings with plain
//! SQL in one transaction; the measured steps go through the public API:
//! reading each coder's tree and passages (`code_tree`, `coded_spans`),
//! coverage over the tree (`verbatim_analysis::alignment::coverages`),
//! alignment of every pair of coders (all levels, then themes only), and
//! the disagreement passages of one matched theme; then one consensus
//! merge of the three coders' first theme (its passages' union written as
//! the consensus layer's) and its undo.
//!
//! The generated coders agree by construction: each true passage (an idea
//! of a theme) is coded by each coder with probability 0.95, with its own
//! name for the idea (a rotation within the theme) and jittered bounds, so
//! the alignment has real work and a known answer (themes match themes).

mod common;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use verbatim_analysis::alignment::{self, AlignOptions, Alignment, Coded, Coverage, Node};
use verbatim_store::{Book, CodeNode, CodedSpan, Coder, Scope, SqliteStore, StudySettings};

const SOURCES: usize = 1_000;
const CHARS: usize = 30_000;
const CODERS: usize = 3;
const THEMES: usize = 5;
const IDEAS: usize = 9;
/// True passages per source; each coder codes 95% of them.
const PASSAGES: usize = 60;
const RUNS: usize = 5;

struct Rng(u64);

impl Rng {
    fn next(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("bench/out/studies"), PathBuf::from);
    std::fs::create_dir_all(&out)?;
    let path = out.join("align.vbt");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let t = Instant::now();
    let (store, passages) = build(&path)?;
    eprintln!(
        "built {} in {:.1} s: {passages} passages",
        path.display(),
        t.elapsed().as_secs_f64()
    );
    let mut store = store;
    store.reveal("bench")?;
    let scope = store.scope("c0", true, false)?;
    let coders = store.coders()?;
    let mut times = Times::default();
    let mut summary = String::new();
    for run in 0..RUNS {
        let layers = read_layers(&store, &scope, &coders, &mut times)?;
        // Coverage of every node, descendants included.
        let t = Instant::now();
        let trees = coverage_trees(&layers)?;
        times.covers.push(t.elapsed());
        // Every pair of coders, all 50 × 50 nodes.
        let t = Instant::now();
        let matched = align_pairs(&trees, &AlignOptions::default())?;
        times.aligns.push(t.elapsed());
        let t = Instant::now();
        let theme_rank = store.level_rank_of("theme")?;
        let theme_options = AlignOptions {
            min_jaccard: 0.2,
            level: Some(theme_rank),
        };
        let theme_pairs: usize = align_pairs(&trees, &theme_options)?
            .iter()
            .map(|(_, _, al)| al.matched.len())
            .sum();
        times.themes.push(t.elapsed());
        // Disagreement passages of the first matched theme of coders 0 and 1.
        let t = Instant::now();
        let n_disagree = first_theme_disagreements(&trees, theme_rank);
        times.disagree.push(t.elapsed());
        if run == 0 {
            summary = summarise(&trees, &matched, theme_pairs, n_disagree);
        }
    }
    print!("{summary}");
    times.print();
    merge_three(&mut store, &scope)?;
    Ok(())
}

/// The times of every run, step by step.
#[derive(Default)]
struct Times {
    loads: Vec<Duration>,
    tree_reads: Vec<Duration>,
    covers: Vec<Duration>,
    aligns: Vec<Duration>,
    themes: Vec<Duration>,
    disagree: Vec<Duration>,
}

impl Times {
    /// Prints the table of medians, and the total of read + coverage +
    /// align.
    fn print(mut self) {
        println!("| step | median of {RUNS} |");
        println!("|---|---:|");
        for (step, times) in [
            (
                "read 3 trees + 3 × ~57,000 passages (store)",
                &mut self.loads,
            ),
            (
                "  of which the 3 trees with counts (`code_tree`)",
                &mut self.tree_reads,
            ),
            ("coverage of 3 × 50 nodes", &mut self.covers),
            ("align 3 coder pairs, 50 × 50 nodes each", &mut self.aligns),
            ("align 3 coder pairs, themes only", &mut self.themes),
            (
                "disagreement passages of one theme pair",
                &mut self.disagree,
            ),
        ] {
            println!("| {step} | {} |", ms(median(times)));
        }
        let total: Vec<Duration> = (0..RUNS)
            .map(|k| self.loads[k] + self.covers[k] + self.aligns[k])
            .collect();
        println!(
            "| **total: read + coverage + align 3 pairs** | **{}** |",
            ms(median(&mut total.clone()))
        );
    }
}

/// One coder's tree with its counts, and the passages the coder coded.
type Layer = (Vec<CodeNode>, Vec<CodedSpan>);

/// One coder's tree as the alignment takes it, and each node's coverage.
type Tree = (Vec<Node>, HashMap<i64, Coverage>);

/// The alignment of coders `i` and `j` (`i < j`).
type PairAlignment = (usize, usize, Alignment);

/// Store reads: each coder's tree and passages, timing the whole and the
/// trees alone.
fn read_layers(
    store: &SqliteStore,
    scope: &Scope,
    coders: &[Coder],
    times: &mut Times,
) -> Result<Vec<Layer>, Box<dyn std::error::Error>> {
    let t = Instant::now();
    let mut layers = Vec::new();
    let mut tree_time = Duration::ZERO;
    for c in coders {
        let t = Instant::now();
        let codes = store.code_tree(scope, Book::Of(c.id))?;
        tree_time += t.elapsed();
        let spans = store.coded_spans(scope, c.id, Book::Of(c.id))?;
        layers.push((codes, spans));
    }
    times.loads.push(t.elapsed());
    times.tree_reads.push(tree_time);
    Ok(layers)
}

/// Each coder's tree as the alignment takes it, with the coverage of every
/// node, descendants included.
fn coverage_trees(layers: &[Layer]) -> Result<Vec<Tree>, Box<dyn std::error::Error>> {
    let mut trees = Vec::new();
    for (codes, spans) in layers {
        let tree: Vec<Node> = codes
            .iter()
            .map(|c| Node {
                id: c.id,
                name: c.name.clone(),
                level: c.level,
                parents: c.parent.into_iter().chain(c.also_under.clone()).collect(),
            })
            .collect();
        let coded: Vec<Coded> = spans
            .iter()
            .map(|s| Coded {
                code: s.code,
                source: s.source,
                start: s.start,
                end: s.end,
            })
            .collect();
        let cov = alignment::coverages(&tree, &coded)?;
        trees.push((tree, cov));
    }
    Ok(trees)
}

/// Aligns every pair of coders' trees with `options`.
fn align_pairs(
    trees: &[Tree],
    options: &AlignOptions,
) -> Result<Vec<PairAlignment>, Box<dyn std::error::Error>> {
    let mut matched = Vec::new();
    for i in 0..CODERS {
        for j in i + 1..CODERS {
            let al = alignment::align(&trees[i].0, &trees[i].1, &trees[j].0, &trees[j].1, options)?;
            matched.push((i, j, al));
        }
    }
    Ok(matched)
}

/// Counts the disagreement passages between coders 0 and 1's first theme.
fn first_theme_disagreements(trees: &[Tree], theme_rank: i64) -> usize {
    let first_theme = |k: usize| trees[k].0.iter().find(|n| n.level == theme_rank);
    let (a, b) = (first_theme(0), first_theme(1));
    let mut n_disagree = 0;
    if let (Some(a), Some(b)) = (a, b) {
        let empty = Coverage::default();
        let ca = trees[0].1.get(&a.id).unwrap_or(&empty);
        let cb = trees[1].1.get(&b.id).unwrap_or(&empty);
        n_disagree = alignment::disagreements(ca, cb).len();
    }
    n_disagree
}

/// Says, for each pair of coders, how many nodes matched and whether the
/// themes matched the theme planted under the same number.
fn summarise(
    trees: &[Tree],
    matched: &[PairAlignment],
    theme_pairs: usize,
    n_disagree: usize,
) -> String {
    let mut summary = String::new();
    let names: HashMap<i64, &str> = trees
        .iter()
        .flat_map(|(tree, _)| tree.iter().map(|n| (n.id, n.name.as_str())))
        .collect();
    for (i, j, al) in matched {
        let jac: Vec<f64> = al.matched.iter().map(|p| p.overlap.jaccard).collect();
        let min = jac.iter().copied().fold(f64::INFINITY, f64::min);
        let themes_ok = al
            .matched
            .iter()
            .filter(|p| {
                let (x, y) = (names[&p.a], names[&p.b]);
                x.contains("Theme") && y.contains("Theme") && x[3..] == y[3..]
            })
            .count();
        summary.push_str(&format!(
            "c{i}–c{j}: {} pairs matched (min Jaccard {min:.2}), {themes_ok}/5 themes matched to the same planted theme, {}+{} unmatched\n",
            al.matched.len(),
            al.unmatched_a.len(),
            al.unmatched_b.len()
        ));
    }
    summary.push_str(&format!(
        "themes only: {theme_pairs} pairs over 3 coder pairs; disagreements of one theme pair: {n_disagree} passages\n"
    ));
    summary
}

/// Measures one consensus merge of the three coders' "Theme 0" (each with
/// its 9 ideas rolled up) and its undo: `RUNS` times, merge then undo.
fn merge_three(
    store: &mut SqliteStore,
    scope: &verbatim_store::Scope,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut codes = Vec::new();
    for c in store.coders()? {
        let name = format!("{} Theme 0", c.name);
        codes.push(store.find_code(scope, &name, Some(Book::Of(c.id)))?);
    }
    let (mut merges, mut undos, mut passages) = (Vec::new(), Vec::new(), 0);
    for _ in 0..RUNS {
        let t = Instant::now();
        store.reconcile_merge_codes(scope, &codes, Some("Theme 0"), None, Some("bench"))?;
        merges.push(t.elapsed());
        let shared = store.find_code(scope, "Theme 0", Some(Book::Shared))?;
        passages = store
            .code_tree(scope, Book::Shared)?
            .iter()
            .find(|n| n.id == shared)
            .map_or(0, |n| n.codings);
        let t = Instant::now();
        store.undo(&scope.coder().name, 1)?;
        undos.push(t.elapsed());
    }
    println!(
        "| merge 3 coders' Theme 0 into one consensus code ({passages} passages) | {} |",
        ms(median(&mut merges))
    );
    println!("| undo that merge | {} |", ms(median(&mut undos)));
    Ok(())
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Returns the study and the number of passages written.
fn build(path: &std::path::Path) -> Result<(SqliteStore, usize), Box<dyn std::error::Error>> {
    let mut store = SqliteStore::create(path, &StudySettings::titled("align"), "bench")?;
    let words = [
        "confiance",
        "méfiance",
        "équipe",
        "usager",
        "contrôle",
        "soin",
        "et",
        "la",
    ];
    common::import_all(
        &mut store,
        (0..SOURCES).map(|i| {
            // The number makes every text distinct (the store skips duplicates).
            let mut text = format!("Entretien {i}. ");
            let mut w = i;
            while text.len() < CHARS * 2 {
                text.push_str(words[w % words.len()]);
                text.push(' ');
                w = w.wrapping_mul(31).wrapping_add(7);
            }
            common::one_turn_source(format!("doc_{i:04}"), text.chars().take(CHARS).collect())
        }),
    )?;
    // ideas[coder][theme][idea] = code id.
    let mut ideas: Vec<Vec<Vec<i64>>> = Vec::new();
    // Coder ids from the store: the consensus layer's row comes first.
    let mut coder_ids = Vec::new();
    for c in 0..CODERS {
        let name = format!("c{c}");
        coder_ids.push(store.add_coder("bench", &name, None, None)?.id);
        let scope = store.scope(&name, false, false)?;
        let mine = common::theme_tree(&mut store, &scope, &format!("c{c} "), THEMES, IDEAS)?;
        ideas.push(mine);
    }
    drop(store);
    let mut conn = rusqlite::Connection::open(path)?;
    let tx = conn.transaction()?;
    let mut written = 0;
    {
        let mut stmt = tx.prepare(
            "INSERT OR IGNORE INTO codings (guid, source_id, code_id, coder_id, start_char, end_char, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, '2026-01-01T00:00:00Z')",
        )?;
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for s in 0..SOURCES {
            for _ in 0..PASSAGES {
                let t = rng.next(THEMES as u64) as usize;
                let i = rng.next(IDEAS as u64) as usize;
                let start = rng.next((CHARS - 1_200) as u64) as i64 + 50;
                let len = 100 + rng.next(900) as i64;
                for (c, mine) in ideas.iter().enumerate() {
                    if rng.next(100) >= 95 {
                        continue;
                    }
                    // Each coder names the idea differently (a rotation
                    // within the theme) and places the bounds a little off.
                    let code = mine[t][(i + c) % IDEAS];
                    let a = start + rng.next(41) as i64 - 20;
                    let b = start + len + rng.next(41) as i64 - 20;
                    written += stmt.execute(rusqlite::params![
                        format!("bench-{s}-{written}-{c}"),
                        s as i64 + 1,
                        code,
                        coder_ids[c],
                        a,
                        b
                    ])?;
                }
            }
        }
    }
    tx.commit()?;
    drop(conn);
    Ok((SqliteStore::open(path)?, written))
}
