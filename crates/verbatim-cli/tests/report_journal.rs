//! `verbatim report` as a journal prints it, on a small study whose numbers
//! are worked out by hand: eight participants (CSI-1 interviewed at the
//! CSAPA, CHFG-A to CHFG-G in a focus group at the hospital), two themes
//! of amira's supported by 1 and 3 of them.
//!
//! - percentages rounded half up: 1/8 = 12.5 % prints "13 %", 3/8 = 37.5 %
//!   prints "38 %", 7/8 = 87.5 % prints "88 %";
//! - Table I: short hash, seal to the minute, sealed before the first
//!   interview or not, by collection dates;
//! - Table II: the columns chosen, values renamed and merged, sites in the
//!   team's order;
//! - English theme names in an English report, by hand and through the
//!   translators' XLIFF file; untranslated quotes flagged and counted;
//! - quotes attributed by a template: `(CSI-1, nurse, CSAPA)`;
//! - the cross-case and triangulation tables;
//! - the shared report on the consensus layer, with the divergences kept
//!   apart and their note, in HTML, Markdown and DOCX.

use crate::common::Workspace;
use crate::report::Package;

const INTERVIEW: &str = "INT : Comment décririez-vous la relation ?\n\
CSI-1 : La confiance se construit lentement avec les usagers.\n\
INT : Et le contrôle ?\n\
CSI-1 : Le contrôle des sacs me pèse.\n";

const FOCUS_GROUP: &str = "INT : Parlons du quotidien.\n\
CHFG-A : Le quotidien est dur.\n\
CHFG-B : On manque de temps.\n\
CHFG-C : Les usagers reviennent.\n\
CHFG-D : La paperasse nous noie.\n\
CHFG-E : On tient grâce à l’équipe.\n\
CHFG-F : Je suis d’accord.\n\
CHFG-G : Moi aussi.\n";

/// Runs `verbatim ARGS --project study.vbt` as `coder`.
fn as_coder(ws: &Workspace, coder: &str, args: &[&str]) -> crate::common::Run {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--project", "study.vbt", "--coder", coder]);
    ws.run(&all)
}

/// Runs `verbatim ARGS --project study.vbt`.
fn study_run(ws: &Workspace, args: &[&str]) -> crate::common::Run {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--project", "study.vbt"]);
    ws.run(&all)
}

/// The study: sites CSAPA (CS) and Hôpital Nord (CH); the interview at CS,
/// the focus group at CH; occupations typed by hand (IDE, infirmière,
/// médecin…, none for CHFG-F); amira's themes Confiance (CSI-1: 1 of 8)
/// and Charge (CHFG-A, CHFG-D, CHFG-F: 3 of 8).
fn study() -> Workspace {
    let ws = Workspace::with_study();
    ws.write("csi1.txt", INTERVIEW);
    ws.write("fg.txt", FOCUS_GROUP);
    for (name, code) in [("CSAPA", "CS"), ("Hôpital Nord", "CH")] {
        study_run(&ws, &["sites", "add", name, "--code", code]).ok();
    }
    ws.import(&["csi1.txt", "--kind", "interview", "--site", "CS"])
        .ok();
    ws.import(&["fg.txt", "--kind", "focus_group", "--site", "CH"])
        .ok();
    study_run(&ws, &["attribute", "add", "occupation", "--type", "text"]).ok();
    let people = [
        ("CSI-1", "CS", Some("infirmière")),
        ("CHFG-A", "CH", Some("IDE")),
        ("CHFG-B", "CH", Some("infirmière")),
        ("CHFG-C", "CH", Some("médecin")),
        ("CHFG-D", "CH", Some("médecin")),
        ("CHFG-E", "CH", Some("éducateur")),
        ("CHFG-F", "CH", None),
        ("CHFG-G", "CH", Some("psychologue")),
    ];
    for (code, site, job) in people {
        study_run(
            &ws,
            &["participants", "add", "--code", code, "--site", site],
        )
        .ok();
        if let Some(job) = job {
            let value = format!("occupation={job}");
            study_run(&ws, &["participants", "set", code, &value]).ok();
        }
    }
    for c in ["amira", "bruno"] {
        study_run(&ws, &["coder", "add", c]).ok();
    }
    let amira = |args: &[&str]| as_coder(&ws, "amira", args).ok();
    amira(&["code", "add", "Confiance", "--level", "theme"]);
    amira(&[
        "code",
        "add",
        "Se construire",
        "--parent",
        "Confiance",
        "--level",
        "idea",
    ]);
    amira(&["code", "add", "Charge", "--level", "theme"]);
    amira(&[
        "code", "add", "Temps", "--parent", "Charge", "--level", "idea",
    ]);
    for (source, code, text) in [
        (
            "csi1",
            "Se construire",
            "La confiance se construit lentement",
        ),
        ("fg", "Temps", "Le quotidien est dur."),
        ("fg", "Temps", "La paperasse nous noie."),
        ("fg", "Temps", "Je suis d’accord."),
    ] {
        amira(&[
            "coding", "add", "--source", source, "--code", code, "--text", text,
        ]);
    }
    ws
}

/// Writes a report as amira and returns its text (empty for DOCX).
fn report(ws: &Workspace, format: &str, out: &str, extra: &[&str]) -> String {
    let mut args = vec!["report", "--format", format, "--out", out];
    args.extend_from_slice(extra);
    as_coder(ws, "amira", &args).ok();
    if format == "docx" {
        String::new()
    } else {
        std::fs::read_to_string(ws.path(out)).unwrap()
    }
}

/// Returns the rows of the Markdown pipe table whose caption starts with
/// `caption`, each as its cells (without the command references).
fn md_table(md: &str, caption: &str) -> Vec<Vec<String>> {
    let at = md
        .find(&format!("Table: {caption}"))
        .unwrap_or_else(|| panic!("no table {caption}"));
    // Caption, blank line, header, rule, then the rows.
    md[at..]
        .lines()
        .skip(4)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| {
                    let c = c.trim().trim_start_matches('\u{a0}');
                    // `7/8 (88 %)^4^` → `7/8 (88 %)`.
                    match c.find('^') {
                        Some(i) => c[..i].to_owned(),
                        None => c.to_owned(),
                    }
                })
                .collect()
        })
        .collect()
}

/// Returns the rows of the HTML table `id` as the text of their cells.
fn html_table(html: &str, id: &str) -> Vec<Vec<String>> {
    let start = html
        .find(&format!("<table id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no table {id}"));
    let end = start + html[start..].find("</table>").unwrap();
    html[start..end]
        .split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let cell = &cell[cell.find('>').unwrap() + 1..];
                    let cell = &cell[..cell.find("</td>").unwrap()];
                    // Drop the footnote reference, then every tag.
                    let cell = match cell.find("<sup>") {
                        Some(i) => &cell[..i],
                        None => cell,
                    };
                    strip_tags(cell)
                })
                .collect()
        })
        .filter(|r: &Vec<String>| !r.is_empty())
        .collect()
}

fn strip_tags(text: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in text.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out.replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Prevalence over the right N, percentages rounded half up: Confiance is
/// CSI-1's alone, 1 of 8 = 12.5 % → 13 %; Charge is CHFG-A, D and F's, 3
/// of 8 = 37.5 % → 38 %. The sociodemographic table counts the 7 of 8 with
/// an occupation: 87.5 % → 88 %.
#[test]
fn percentages_are_rounded_half_up() {
    let ws = study();
    let md = report(&ws, "md", "r.md", &[]);
    let line = |theme: &str| -> String {
        let at = md
            .find(&format!("### {theme}\n"))
            .unwrap_or_else(|| panic!("no theme {theme}"));
        md[at..].lines().nth(2).unwrap_or_default().to_owned()
    };
    let confiance = line("Confiance");
    assert!(confiance.contains("1/8^"), "{confiance}");
    assert!(confiance.contains("(13 %^"), "{confiance}");
    let charge = line("Charge");
    assert!(charge.contains("3/8^"), "{charge}");
    assert!(charge.contains("(38 %^"), "{charge}");
    assert!(
        md.contains("7 (88 %)"),
        "no 7 of 8 = 88 % in the sociodemographics"
    );
}

/// Table II lists the eight participants with the columns asked for, the
/// occupations as merged and renamed, the hospital's participants first
/// once the team puts the sites in that order; a bad column is refused.
#[test]
fn table_ii_shows_the_chosen_columns_with_tidied_values_in_the_teams_site_order() {
    let ws = study();
    let before = ws.dump();
    let run = study_run(&ws, &["attribute", "delete", "occupation"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
    assert_eq!(ws.dump(), before, "a refused delete changed the study");
    let run = study_run(
        &ws,
        &[
            "attribute",
            "merge-values",
            "occupation",
            "--values",
            "IDE,infirmière",
            "--into",
            "nurse",
        ],
    )
    .ok();
    // IDE (CHFG-A), infirmière (CSI-1, CHFG-B): three values changed.
    assert!(
        run.stdout.contains("(3 participants changed)"),
        "{}",
        run.stdout
    );
    study_run(
        &ws,
        &[
            "attribute",
            "rename-value",
            "occupation",
            "--from",
            "médecin",
            "--to",
            "doctor",
        ],
    )
    .ok();
    study_run(&ws, &["sites", "order", "CH,CS"]).ok();
    let md = report(&ws, "md", "r.md", &["--table-columns", "occupation"]);
    let rows = md_table(&md, "Table II — The participants");
    let expected = [
        ["CHFG-A", "Hôpital Nord", "focus group", "nurse"],
        ["CHFG-B", "Hôpital Nord", "focus group", "nurse"],
        ["CHFG-C", "Hôpital Nord", "focus group", "doctor"],
        ["CHFG-D", "Hôpital Nord", "focus group", "doctor"],
        ["CHFG-E", "Hôpital Nord", "focus group", "éducateur"],
        ["CHFG-F", "Hôpital Nord", "focus group", "–"],
        ["CHFG-G", "Hôpital Nord", "focus group", "psychologue"],
        ["CSI-1", "CSAPA", "interview", "nurse"],
    ];
    assert_eq!(
        rows,
        expected.map(|r| r.map(str::to_owned).to_vec()).to_vec()
    );
    // The sources table follows the same order: CH before CS.
    let at = md.find("Table: Sources by kind and site").unwrap();
    let header = md[at..].lines().nth(2).unwrap();
    assert!(header.starts_with("| Kind | CH | CS |"), "{header}");

    // Deleted, the attribute leaves Table II; one undo brings it back.
    study_run(&ws, &["attribute", "delete", "occupation", "--yes"]).ok();
    let md = report(&ws, "md", "r.md", &[]);
    let at = md.find("Table: Table II — The participants").unwrap();
    assert_eq!(
        md[at..].lines().nth(2).unwrap(),
        "| Participant | Site | Mode |"
    );
    study_run(&ws, &["undo"]).ok();
    let md = report(&ws, "md", "r.md", &[]);
    assert_eq!(md_table(&md, "Table II — The participants")[0][3], "nurse");

    let run = as_coder(
        &ws,
        "amira",
        &[
            "report",
            "--format",
            "md",
            "--out",
            "bad.md",
            "--table-columns",
            "métier",
        ],
    );
    assert_ne!(run.code, 0);
    assert!(
        run.stderr
            .contains("\"métier\" is not a participant attribute; the study has occupation"),
        "{}",
        run.stderr
    );
    assert!(!ws.path("bad.md").exists());
}

/// Table I: amira's sealed preconception, its hash cut to 12 hex digits,
/// the seal to the minute, and whether it came before the first interview:
/// "unknown" with no collection date, "yes" when the interviews are dated
/// after the seal, "no" when the first is dated before it.
#[test]
fn table_i_says_whether_each_preconception_was_sealed_before_the_first_interview() {
    let ws = study();
    as_coder(
        &ws,
        "amira",
        &[
            "journal",
            "add",
            "--kind",
            "preconception",
            "--title",
            "Attentes",
            "--text",
            "Je m'attends à de la méfiance envers les soignants.",
        ],
    )
    .ok();
    as_coder(&ws, "amira", &["journal", "seal", "1"]).ok();
    let entry = as_coder(&ws, "amira", &["journal", "list", "--json"])
        .ok()
        .json()[0]
        .clone();
    let hash = entry["content_hash"].as_str().unwrap();
    let sealed = entry["sealed_at"].as_str().unwrap();
    // 2026-12-05T07:25:14.123Z → 2026-12-05 07:25 UTC.
    let minute = format!("{} {} UTC", &sealed[..10], &sealed[11..16]);
    let row = |html: &str| html_table(html, "preconceptions").remove(0);

    let html = report(&ws, "html", "r.html", &[]);
    let r = row(&html);
    assert_eq!(r[0], "amira");
    assert_eq!(r[1], "Attentes");
    assert_eq!(r[2], hash[..12]);
    assert_eq!(r[3], minute);
    assert_eq!(r[4], "unknown");

    // Collection dates: `verbatim source set --date` writes this column;
    // set here directly so the test does not depend on that command.
    let date = |source: &str, day: &str| {
        let conn = rusqlite::Connection::open(ws.study()).unwrap();
        conn.execute(
            "UPDATE sources SET collected_on = ?1 WHERE name = ?2",
            [day, source],
        )
        .unwrap();
    };
    date("csi1", "2099-03-12");
    date("fg", "2099-03-20");
    let r = row(&report(&ws, "html", "r.html", &[]));
    assert_eq!(r[4], "yes (2099-03-12)");
    date("fg", "2020-01-15");
    let r = row(&report(&ws, "html", "r.html", &[]));
    assert_eq!(r[4], "no (2020-01-15)");
}

/// Theme names in English where the team gave them, by hand or through the
/// XLIFF file; French quotes without an English translation are marked and
/// counted in the methods appendix; a French report marks none.
#[test]
fn an_english_report_names_themes_in_english_and_flags_untranslated_quotes() {
    let ws = study();
    as_coder(
        &ws,
        "amira",
        &[
            "code",
            "translate",
            "Confiance",
            "--language",
            "en",
            "--text",
            "Trust",
        ],
    )
    .ok();
    let html = report(&ws, "html", "r.html", &["--language", "en"]);
    assert!(html.contains("<h3>Trust</h3>"));
    assert!(!html.contains("<h3>Confiance</h3>"));
    assert!(html.contains("<h3>Charge</h3>"));
    // Four quotes shown (Confiance 1, Charge 3), all French, none translated.
    let marks = html
        .matches("<mark class=\"untranslated\">[untranslated]</mark>")
        .count();
    assert_eq!(marks, 4);
    let methods = html_table(&html, "methods");
    let fact = methods
        .iter()
        .find(|r| r[0].starts_with("Quotes shown without an English translation"))
        .expect("no untranslated count");
    assert_eq!(fact[1], "4");

    // The translator's file carries Charge beside the quotes.
    as_coder(
        &ws,
        "amira",
        &[
            "translations",
            "export",
            "--language",
            "en",
            "--out",
            "q.xlf",
        ],
    )
    .ok();
    let xml = std::fs::read_to_string(ws.path("q.xlf")).unwrap();
    assert!(xml.contains("<source>Charge</source>"), "{xml}");
    let filled = xml
        .replace(
            "<source>Charge</source>",
            "<source>Charge</source>\n        <target>Workload</target>",
        )
        .replace(
            "<source>Le quotidien est dur.</source>",
            "<source>Le quotidien est dur.</source>\n        <target>Daily life is hard.</target>",
        );
    ws.write("q-en.xlf", filled);
    // Trust came back as a target to review: two names set.
    assert!(xml.contains("<target>Trust</target>"), "{xml}");
    let run = as_coder(&ws, "amira", &["translations", "import", "q-en.xlf"]).ok();
    assert!(
        run.stdout.contains("Named 2 codes in en."),
        "{}",
        run.stdout
    );
    let html = report(&ws, "html", "r.html", &["--language", "en"]);
    assert!(html.contains("<h3>Workload</h3>"));
    assert!(html.contains("<h3>Trust</h3>"));
    assert!(html.contains("Translation: Daily life is hard."));
    // A translated passage becomes a marked quote, so Charge now shows
    // that one alone: only Confiance's quote is left untranslated.
    assert_eq!(html.matches("<mark class=\"untranslated\">").count(), 1);
    // One undo takes the whole import back, names included.
    as_coder(&ws, "amira", &["undo"]).ok();
    let html = report(&ws, "html", "r.html", &["--language", "en"]);
    assert!(html.contains("<h3>Charge</h3>"));
    // In French, the quotes are in the report's language: nothing to mark.
    let html = report(&ws, "html", "r.html", &["--language", "fr"]);
    assert!(html.contains("<h3>Confiance</h3>"));
    assert_eq!(html.matches("<mark class=\"untranslated\">").count(), 0);
}

/// `--attribution '{code}, {occupation}, {site}'` gives (CSI-1, nurse,
/// CSAPA); CHFG-F has no occupation, so it and its comma are left out; an
/// unknown placeholder is refused and nothing is written.
#[test]
fn quotes_are_attributed_by_the_teams_template() {
    let ws = study();
    study_run(
        &ws,
        &[
            "attribute",
            "merge-values",
            "occupation",
            "--values",
            "IDE,infirmière",
            "--into",
            "nurse",
        ],
    )
    .ok();
    let template = "{code}, {occupation}, {site}";
    let md = report(
        &ws,
        "md",
        "r.md",
        &["--attribution", template, "--language", "fr"],
    );
    for line in [
        "> (CSI-1, nurse, CSAPA)",
        "> (CHFG-A, nurse, Hôpital Nord)",
        "> (CHFG-D, médecin, Hôpital Nord)",
        "> (CHFG-F, Hôpital Nord)",
    ] {
        assert!(md.lines().any(|l| l == line), "no line {line:?}");
    }
    report(&ws, "docx", "r.docx", &["--attribution", template]);
    let package = Package::read(&std::fs::read(ws.path("r.docx")).unwrap());
    let paragraphs = package.paragraphs("word/document.xml");
    assert!(
        paragraphs
            .iter()
            .any(|(s, t)| s == "QuoteAttribution" && t == "(CSI-1, nurse, CSAPA) [untranslated]"),
        "{paragraphs:?}"
    );
    let run = as_coder(
        &ws,
        "amira",
        &[
            "report",
            "--format",
            "html",
            "--out",
            "bad.html",
            "--attribution",
            "{code}, {métier}",
        ],
    );
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("{métier} is not a placeholder"),
        "{}",
        run.stderr
    );
    assert!(!ws.path("bad.html").exists());
}

/// The cross-case table marks each theme's participants (Confiance: CSI-1
/// alone; Charge: CHFG-A, D, F) with n/N; the triangulation table counts
/// them per site (over 1 heard at CS, 7 at CH) and per mode.
#[test]
fn cross_case_and_triangulation_are_tables() {
    let ws = study();
    let md = report(&ws, "md", "r.md", &[]);
    let rows = md_table(&md, "Cross-case table");
    let at = md.find("Table: Cross-case table").unwrap();
    let header: Vec<&str> = md[at..]
        .lines()
        .nth(2)
        .unwrap()
        .trim_matches('|')
        .split(" | ")
        .map(str::trim)
        .collect();
    assert_eq!(
        header,
        [
            "Theme", "CHFG-A", "CHFG-B", "CHFG-C", "CHFG-D", "CHFG-E", "CHFG-F", "CHFG-G", "CSI-1",
            "n/N"
        ]
    );
    let marks = |row: &[String]| -> Vec<bool> { row[1..9].iter().map(|c| c == "✓").collect() };
    assert_eq!(rows[0][0], "Confiance");
    assert_eq!(
        marks(&rows[0]),
        [false, false, false, false, false, false, false, true]
    );
    assert_eq!(rows[0][9], "1/8 (13 %)");
    assert_eq!(rows[1][0], "Charge");
    assert_eq!(
        marks(&rows[1]),
        [true, false, false, true, false, true, false, false]
    );
    assert_eq!(rows[1][9], "3/8 (38 %)");

    // No order given: sites by name, CSAPA (CS) before Hôpital Nord (CH).
    let rows = md_table(&md, "Triangulation:");
    let at = md.find("Table: Triangulation:").unwrap();
    let header = md[at..].lines().nth(2).unwrap();
    assert!(
        header.starts_with("| Theme | CS | CH | focus group | interview | Participants |"),
        "{header}"
    );
    assert_eq!(
        rows[0][..6],
        ["Confiance", "1/1", "0/7", "0", "1", "1/8 (13 %)"]
    );
    assert_eq!(
        rows[1][..6],
        ["Charge", "0/1", "3/7", "3", "0", "3/8 (38 %)"]
    );
}

/// The shared report reads the consensus layer: its passage, not a coder's,
/// supports the shared theme; the consensus is never a coder (not in the
/// coders fact, refused in --coders); bruno's theme kept apart shows in the
/// divergences with the note, in HTML, Markdown and DOCX; COREQ item 22
/// states the team's verdict and says it comes from the consensus.
#[test]
fn the_shared_report_reads_the_consensus_and_shows_the_divergences() {
    let ws = study();
    let bruno = |args: &[&str]| as_coder(&ws, "bruno", args).ok();
    bruno(&["code", "add", "Épuisement", "--level", "theme"]);
    bruno(&[
        "coding",
        "add",
        "--source",
        "fg",
        "--code",
        "Épuisement",
        "--text",
        "On tient grâce à l’équipe.",
    ]);
    as_coder(
        &ws,
        "amira",
        &["code", "add", "Confiance", "--level", "theme", "--shared"],
    )
    .ok();
    study_run(&ws, &["reveal"]).ok();
    let note = "Lecture propre à bruno : l’usure, pas la charge.";
    as_coder(
        &ws,
        "amira",
        &[
            "reconcile",
            "keep",
            "--from",
            "bruno",
            "--code",
            "Épuisement",
            "--note",
            note,
        ],
    )
    .ok();
    // One consensus passage on the shared Confiance: CSI-1's words. Written
    // through the library's consensus scope, as `reconcile merge` does.
    {
        use verbatim_store::{Book, SqliteStore};
        let mut store = SqliteStore::open(&ws.study()).unwrap();
        let consensus = store.consensus_scope().unwrap();
        let code = store
            .find_code(&consensus, "Confiance", Some(Book::Shared))
            .unwrap();
        let text = ws.show("csi1")["text"].as_str().unwrap().to_owned();
        let words = "La confiance se construit lentement";
        let byte = text.find(words).unwrap();
        let start = text[..byte].chars().count();
        let span = verbatim_core::Span::new(start, start + words.chars().count()).unwrap();
        store.add_coding(&consensus, 1, span, code, None).unwrap();
    }
    let refused = as_coder(
        &ws,
        "amira",
        &[
            "report",
            "--shared",
            "--format",
            "html",
            "--out",
            "bad.html",
            "--coders",
            "amira,consensus",
        ],
    );
    assert_ne!(refused.code, 0);
    assert!(refused.stderr.contains("consensus"), "{}", refused.stderr);
    assert!(!ws.path("bad.html").exists());

    let shared = ["--shared", "--coders", "amira,bruno"];
    let html = report(&ws, "html", "s.html", &shared);
    assert!(html.contains("<p class=\"subtitle\">Shared codebook</p>"));
    let at = html.find("<h3>Confiance</h3>").expect("no shared theme");
    let line = &html[at..at + html[at..].find("</p>\n<p>").unwrap()];
    assert!(line.contains(">1/8</span>"), "{line}");
    assert!(
        !html.contains("<h3>Charge</h3>"),
        "amira's own theme in the shared report"
    );
    let divergences = html_table(&html, "divergences");
    assert_eq!(divergences.len(), 1);
    assert_eq!(divergences[0][..4], ["Épuisement", "bruno", note, "amira"]);
    let methods = html_table(&html, "methods");
    let coders = methods.iter().find(|r| r[0] == "Coders").unwrap();
    assert_eq!(coders[1], "2 (amira, bruno)");
    let saturation = html_table(&html, "saturation");
    assert!(
        saturation.iter().any(|r| r[0] == "team (consensus)"),
        "{saturation:?}"
    );
    let coreq = html_table(&html, "coreq");
    assert!(
        coreq[21][3].starts_with(
            "Assessed with Guest, Namey & Chen (2020) on the team's consensus codebook:"
        ),
        "{:?}",
        coreq[21]
    );

    let md = report(&ws, "md", "s.md", &shared);
    assert!(md.lines().any(|l| l == "## Divergences"));
    let rows = md_table(&md, "Divergences");
    assert_eq!(rows[0][..4], ["Épuisement", "bruno", note, "amira"]);

    report(&ws, "docx", "s.docx", &shared);
    let package = Package::read(&std::fs::read(ws.path("s.docx")).unwrap());
    package.check();
    let paragraphs = package.paragraphs("word/document.xml");
    assert!(
        paragraphs
            .iter()
            .any(|(s, t)| s == "Heading1" && t == "Divergences")
    );
    assert!(paragraphs.iter().any(|(_, t)| t == note));
    assert!(
        paragraphs
            .iter()
            .any(|(s, t)| s == "Caption" && t.starts_with("Table II — The participants"))
    );
}
