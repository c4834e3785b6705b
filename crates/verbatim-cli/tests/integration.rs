//! End-to-end tests of the `verbatim` binary: each runs the real command on
//! a real study file in a temporary folder and checks what a researcher
//! would check. Add new test files as modules here.

// Helpers shared by the tests: running the binary, building fixtures.
mod common;
// `init`, `--project` and `VERBATIM_PROJECT`, study-format versions.
mod study;
// `import`, `sources` and `show` on every format and encoding.
mod import;
// `--project postgres://…`: the same answers as a file, refusals elsewhere.
mod postgres;
// Coders, codes, codings and `verbatim copy` on PostgreSQL.
mod postgres_coding;
// `verbatim search` on PostgreSQL: the same hits as the file, the index catching up.
mod postgres_search;
// Undo, redo and reveal on PostgreSQL, answering as on a file.
mod postgres_history;
// `--project postgres://…`: journal commands, and copies that carry people and journals.
mod postgres_study;
// `agreement` and `query` on PostgreSQL: the same --json as the file, kappas by hand.
mod postgres_analysis;
// Participant, attribute, speaker, journal and memo edits on PostgreSQL, as on a file.
mod postgres_people;
// Codebook and coding edits on PostgreSQL: the same tree, codings and log as a file.
mod postgres_codebook;
// `deidentify` and `import --deidentify` on PostgreSQL: the same --json as a file.
mod postgres_deid;
// `media attach|list|detach` on PostgreSQL: the bytes in the database, the same --json.
mod postgres_media;
// Bad input: every refusal names the file, says what to do, changes nothing.
mod bad_input;
// `verbatim demo`.
mod demo;
// The IPA coding workflow: coders, trees, codings, blind layers, undo.
mod coding;
// `verbatim memo`: memos on every target, blind until revealed.
mod memos;
// `verbatim journal`: sealed preconceptions, verification, links.
mod journal;
// `verbatim source edit`: spans follow the text; undo restores them.
mod edit;
// `participants`, `sites`, `attribute`: rosters, codes, table, consent.
mod participants;
// `speakers` and `guide`: label mapping, interview guides, autocoding.
mod speakers;
// Roster + transcripts to pseudonymised turns, end to end.
mod pseudonyms;
// `deidentify` and `import --deidentify`: names out, codings in place.
mod deidentify;
// `participants withdraw`: a participant's speech removed everywhere.
mod withdraw;

// `verbatim saturation`: the Guest, Namey & Chen verdict on a worked example.
mod saturation;
// Agreement and saturation over the sources each coder coded; collection dates.
mod team_analysis;

// `triangulation`, `ipa-table`, `confront`: themes, participants, expectations.
mod themes;
// n/N over the sources coded, a generic label once per source, structural codes.
mod prevalence;
// `align`, `disagreements`, `reconcile`: planted renamed themes, undo.
mod alignment;
// The consensus layer: merges carry passages, solo is the study's, names are not guessed.
mod consensus;
// `verbatim reliability`: coefficients from a CSV of ratings.
mod reliability;
// `verbatim agreement`: character and segment agreement on a study.
mod agreement;
// `query`, `matrix`, `cooccurrence`: participants counted, blind layers kept.
mod analysis;
// `search` and `words`: stemming, filters, KWIC, index sync, autocoding.
mod search;
// `export --format csv|xlsx` and `import codebook`: rows, blind layers, formulas, round trip.
mod sheets;

// `verbatim figure`: well-formed, deterministic SVG with the commands' numbers.
mod figures;
// `verbatim translations`: XLIFF and CSV out, translations back, changes reported.
mod translations;

// REFI-QDA: `export --format qdpx|qdc`, `import-project`, round trip, refusals.
mod refi;
// REFI-QDA read the way other tools read it: notes, memos, cases, targets.
mod refi_clients;
// `import-project` on QualCoder projects we write ourselves.
mod qualcoder;
// REFI-QDA with recordings: the file in the archive, transcripts and sync points.
mod refi_media;
// `verbatim serve`: the web interface in headless Chromium, CSRF, CSP, escaping.
mod browser;
// The participants, sources, analysis, compare, journal and OpenAPI endpoints over HTTP.
mod web_pages;
// Those pages in headless Chromium: inline edit, matrix drill-down, compare, seal.
mod browser_pages;
// `verbatim media` and `GET /media/{source}`: recordings, durations, byte ranges.
mod media;
// The transcription view: a source made from a recording, typed turn by turn.
mod transcribe;
// The reports page: downloads, the sandboxed preview, blind layers, member checking.
mod web_reports;

// Hostile input: deep queries, folder loops and devices, REFI paths,
// malformed rosters, concurrent writers, permissions, broken pipes.
mod hostile;

// `verbatim report`: formats, numbers against the commands, member checking.
mod report;
// The report a journal accepts: Tables I and II, rounding, translated theme
// names, attribution, cross-case and triangulation tables, divergences.
mod report_journal;

/// Fails when a test file exists that is not listed above.
#[test]
fn every_test_file_is_listed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let listed = include_str!("integration.rs");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(module) = name.strip_suffix(".rs")
            && module != "integration"
        {
            assert!(
                listed.contains(&format!("mod {module};")),
                "tests/{name} is not listed"
            );
        }
    }
}
// Transcripts as they come: role labels, missed labels, `source redetect`,
// `source remove`, `speakers rename`, timed subtitle segments.
mod transcripts;
// The workflow in the browser: picker, upload, sites, quotes, autocode, codes, widths.
mod browser_workflow;
// Code names unique among siblings: paths, ambiguity refused, round trip.
mod code_paths;
// `import-project` on a Taguette project (.sqlite3) we write ourselves.
mod taguette;
// `verbatim account`: accounts, roles, passwords from stdin, invitations.
mod accounts;
// `serve --team`: login, sessions, rate limits, roles and blind layers over HTTP and in Chromium.
mod team_server;
// A generated hostile corpus through the real binary: each file imported or
// refused in one line, the study unchanged on refusal, peak memory bounded.
mod hostile_corpus;
// Long lists on the web pages in pages of 100, the home page's lists cut
// at 20 per kind, counts study-wide (issue 16).
mod web_scale;
// The reader with the keyboard alone; the interface in French and English.
mod browser_keyboard;
// Hostile workbooks: calamine in a child process, refused within its
// limits, nothing left running, from the CLI and the server.
mod hostile_workbooks;
// `serve --dir`: a folder of studies, its start page, creating a study, logins per study.
mod team_folder;
// `verbatim account` on PostgreSQL: the same --json and refusals as on a file.
mod postgres_accounts;
// Issue 17's scripted session (import in five formats to export): file and PostgreSQL alike.
mod postgres_session;
// `serve` on a PostgreSQL study: two server processes, 20 coders at once,
// every acknowledged coding stored once.
mod postgres_serve;
// `verbatim figure` on PostgreSQL: the same SVG bytes as the file it was copied from.
mod postgres_figures;
// Guides, source repairs and the solo mark on PostgreSQL: the same --json as on a file.
mod postgres_sources;
// `serve --dir postgres://…/DB`: every study of a database, listed, coded
// apart, created from the start page; accounts per study in team mode.
mod postgres_folder;
// `import-project` on PostgreSQL: a new study and a colleague's layer, as on a file.
mod postgres_import;
// `verbatim report`, member checking and translations on PostgreSQL: the same files.
mod postgres_report;
// The report, member-checking and reader pages of a PostgreSQL study in
// headless Chromium: options picked, the document downloaded, the recording played.
mod postgres_browser;
// `pool=N` in a PostgreSQL address: one connection still serves 20 coders
// at once, nothing lost; one per study under `serve --dir`; a bad value
// refused in one sentence.
mod postgres_pool;
// The server's cached copies of a PostgreSQL study's recordings: a copy of
// a recording replaced, detached or of a study made again is removed.
mod postgres_media_cache;
// Hostile input and network on PostgreSQL: NUL alike on file and server,
// bad addresses, a server stopped and restarted under serve, no slot free.
mod postgres_hostile;
