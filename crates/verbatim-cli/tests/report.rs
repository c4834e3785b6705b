//! `verbatim report` on the demo study: the three formats' structure, the
//! numbers against the analysis commands', traceability, member checking,
//! and refusals.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;

use quick_xml::events::{BytesStart, Event};

use crate::common::{Workspace, turns};

/// The demo study, revealed, with one code every coder shares (so
/// agreement has something to compare): each coder codes an overlapping
/// stretch of CHI-1's first answer with "Commun".
fn demo() -> Workspace {
    let ws = Workspace::empty();
    ws.run(&["demo", "--project", "study.vbt", "--blind"]).ok();
    ws.run(&["reveal", "--project", "study.vbt"]).ok();
    let shown = ws.show("3");
    let answer = shown["turns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["speaker"] == "CHI-1")
        .unwrap()
        .clone();
    let start = answer["start"].as_u64().unwrap();
    for (coder, from, to) in [("amira", 0, 120), ("bruno", 10, 120), ("chloe", 0, 90)] {
        let p = |args: &[&str]| {
            let mut all = args.to_vec();
            all.extend_from_slice(&["--project", "study.vbt", "--coder", coder]);
            ws.run(&all).ok()
        };
        p(&["code", "add", "Commun", "--level", "idea"]);
        p(&[
            "coding",
            "add",
            "--source",
            "3",
            "--code",
            "Commun",
            "--start",
            &(start + from).to_string(),
            "--end",
            &(start + to).to_string(),
        ]);
    }
    ws
}

fn report(ws: &Workspace, format: &str, out: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "report",
        "--project",
        "study.vbt",
        "--coder",
        "amira",
        "--format",
        format,
        "--out",
        out,
    ];
    args.extend_from_slice(extra);
    let run = ws.run(&args).ok();
    assert!(run.stdout.contains("Wrote"), "{}", run.stdout);
    if format == "docx" {
        String::new()
    } else {
        std::fs::read_to_string(ws.path(out)).unwrap()
    }
}

fn json(ws: &Workspace, args: &[&str]) -> serde_json::Value {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--project", "study.vbt", "--coder", "amira", "--json"]);
    ws.run(&all).ok().json()
}

/// The HTML report refers to nothing outside itself, every number carries
/// its command on hover and as a footnote, and the prevalence, saturation,
/// confrontation and agreement figures are those the commands print.
#[test]
fn html_report_is_self_contained_and_its_numbers_are_the_commands() {
    let ws = demo();
    let html = report(&ws, "html", "report.html", &[]);
    let lower = html.to_lowercase();
    for needle in ["<script", "<link", "@import", "url(", "<iframe", "<img"] {
        assert!(!lower.contains(needle), "the report holds {needle}");
    }
    for attr in ["src=", "href=", "xlink:href="] {
        for (i, _) in lower.match_indices(attr) {
            let value = lower[i + attr.len()..].trim_start_matches(['"', '\'']);
            assert!(
                value.starts_with('#'),
                "external reference: {}",
                &html[i..(i + 80).min(html.len())]
            );
        }
    }
    // The figures are inline SVG: three theme trees, the saturation curve,
    // the triangulation heat map.
    assert_eq!(html.matches("<figure>\n<svg").count(), 5);
    assert_eq!(html.matches("</svg>\n<figcaption>Figure ").count(), 5);
    // Ids stay unique once several figures share the page.
    let mut ids: Vec<&str> = html
        .split(" id=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    let all = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all, "repeated ids");
    // Every traced number: a hover with its command and a footnote to the list.
    let spans = html.matches("<span class=\"n\" title=\"verbatim ").count();
    assert!(spans > 100, "only {spans} traced numbers");
    assert_eq!(spans, html.matches("<sup><a href=\"#cmd-").count());
    let listed = html.matches("<li id=\"cmd-").count();
    assert!(listed >= 8, "{listed} commands listed");

    // Prevalence: n/N overall and by site, as triangulation and ipa-table say.
    let total = json(&ws, &["ipa-table", "--level", "theme"])["cross_case"]["participants"]
        .as_array()
        .unwrap()
        .len();
    let rows = json(&ws, &["triangulation", "--level", "theme"]);
    let sites = ["CA", "CH", "CS"];
    for row in rows["themes"].as_array().unwrap() {
        let theme = row["theme"].as_str().unwrap();
        let heading = format!("<h4>{}</h4>", escape(theme));
        let at = html
            .find(&heading)
            .unwrap_or_else(|| panic!("no heading {theme}"));
        let line = &html[at..at + html[at..].find("</p>").unwrap()];
        let n = row["participants"].as_u64().unwrap();
        assert!(
            line.contains(&format!(">{n}/{total}</span>")),
            "{theme}: {n}/{total} not in {line}"
        );
        for site in sites {
            let k = row["by_site"][site].as_u64().unwrap_or(0);
            assert!(
                line.contains(&format!(
                    "{site} <span class=\"n\" title=\"verbatim triangulation"
                )),
                "{theme}: no traced count for {site}"
            );
            assert!(
                line.contains(&format!(">{k}/")),
                "{theme}: {site} {k} not in {line}"
            );
        }
    }

    // Saturation: the verdicts `verbatim saturation --by-site` prints.
    let saturation = json(&ws, &["saturation", "--by-site"]);
    for s in saturation.as_array().unwrap() {
        let sentence = s["sentence"].as_str().unwrap();
        assert!(
            html.contains(&escape(sentence)),
            "missing verdict {sentence}"
        );
    }

    // Preconceptions: each link's evidence as `verbatim confront` counts it.
    let confront = json(&ws, &["confront"]);
    let entries = confront[0]["entries"].as_array().unwrap();
    assert!(!entries.is_empty());
    for e in entries {
        // Table I shows the hash's first 12 hex digits.
        assert!(html.contains(&e["content_hash"].as_str().unwrap()[..12]));
        for l in e["links"].as_array().unwrap() {
            let line = format!(
                "{} [{}]: {} — {} passages, {} participants",
                l["code"].as_str().unwrap(),
                l["relation"].as_str().unwrap(),
                l["outcome"].as_str().unwrap(),
                l["passages"],
                l["participants"]
            );
            assert!(html.contains(&escape(&line)), "missing {line}");
        }
    }

    // Agreement: per code and overall, as `verbatim agreement` computes it.
    let agreement = json(&ws, &["agreement"]);
    let by_code = &agreement["comparison"]["by_code"][0];
    assert_eq!(agreement["codes"][0], "Commun");
    for pair in by_code["pairs"].as_array().unwrap().iter().chain(
        agreement["comparison"]["overall"]["pairs"]
            .as_array()
            .unwrap(),
    ) {
        let kappa = pair["chars"]["kappa"]["value"].as_f64().unwrap();
        let percent = pair["chars"]["percent"]["value"].as_f64().unwrap();
        assert!(
            html.contains(&format!(">{kappa:.4}</span>")),
            "kappa {kappa}"
        );
        // Whole percentages, rounded half up (87.5 → 88).
        let whole = ((percent * 100.0 * 1e9).round() / 1e9 + 0.5).floor();
        assert!(
            html.contains(&format!(">{whole} %</span>")),
            "percent {percent}"
        );
    }
    let fleiss = by_code["group"]["fleiss"]["value"].as_f64().unwrap();
    assert!(html.contains(&format!(">{fleiss:.4}</span>")));
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Every command the report lists runs on the study: a reader can
/// reproduce each number.
#[test]
fn every_listed_command_runs() {
    let ws = demo();
    let md = report(&ws, "md", "report.md", &[]);
    let commands: Vec<&str> = md
        .lines()
        .filter_map(|l| l.split_once(". `verbatim ").map(|(_, c)| c))
        .filter_map(|c| c.strip_suffix('`'))
        .collect();
    assert!(commands.len() >= 8, "{commands:?}");
    for command in commands {
        let words: Vec<String> = command
            .split(' ')
            .map(|w| w.trim_matches('\'').to_owned())
            .collect();
        let args: Vec<&str> = words.iter().map(String::as_str).collect();
        let run = ws.run(&args);
        assert_eq!(run.code, 0, "`verbatim {command}` failed: {}", run.stderr);
    }
}

/// Markdown for pandoc: ATX headings, pipe tables with their separator
/// row, quotes as blockquotes with attribution and translation.
#[test]
fn markdown_has_headings_tables_and_quotes() {
    let ws = demo();
    let md = report(&ws, "md", "report.md", &[]);
    for heading in [
        "## Results",
        "## Tables",
        "## Methods appendix",
        "### Commands that reproduce every number",
        "## COREQ checklist (Tong, Sainsbury & Craig 2007)",
        "### La relation comme soin",
        "#### Construire la confiance",
    ] {
        assert!(
            md.lines().any(|l| l == heading),
            "no heading line {heading:?}"
        );
    }
    for caption in [
        "Table: Sociodemographic characteristics of the participants",
        "Table: Intercoder agreement per code and overall",
        "Table: Thematic saturation (Guest, Namey & Chen 2020)",
    ] {
        let at = md.find(caption).unwrap_or_else(|| panic!("no {caption}"));
        let mut lines = md[at..].lines().skip(2);
        let header = lines.next().unwrap();
        let rule = lines.next().unwrap();
        assert!(
            header.starts_with("| ") && header.ends_with(" |"),
            "{header}"
        );
        assert_eq!(
            rule.matches("---").count(),
            header.matches(" | ").count() + 1,
            "{rule}"
        );
    }
    // COREQ: 32 rows, each filled or left to the authors.
    let coreq = md.find("Table: COREQ").unwrap();
    let rows: Vec<&str> = md[coreq..]
        .lines()
        .skip(4)
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert_eq!(rows.len(), 32);
    assert!(rows[11].contains("24 participants"));
    assert!(rows[0].ends_with("| to complete by the authors |"));
    // Figures: SVG files beside the document, linked from it.
    for n in 1..=3 {
        let name = format!("figure-{n}-tree.svg");
        assert!(md.contains(&format!("]({name})")), "{name} not linked");
        let svg = std::fs::read_to_string(ws.path(&name)).unwrap();
        assert!(
            svg.starts_with("<svg") || svg.starts_with("<?xml"),
            "{name}"
        );
    }
    assert!(ws.path("figure-4-saturation-amira.svg").exists());
    assert!(ws.path("figure-5-triangulation.svg").exists());
    // A translated exemplar: the quote, who said it, the translation.
    assert!(md.contains("> — CSI-1, Entretien individuel CSI-1"));
    assert!(md.contains(">\n> *Translation: And I think what tips the relationship over"));
}

/// A DOCX the way Word and LibreOffice read it: every part is well-formed
/// XML, content types cover every part, relationships resolve, every style
/// used is defined; it holds the headings, tables with a header row and
/// the quotes in the Quote style.
#[test]
fn docx_is_a_valid_package_with_styles_tables_and_quotes() {
    let ws = demo();
    report(&ws, "docx", "report.docx", &[]);
    let bytes = std::fs::read(ws.path("report.docx")).unwrap();
    let package = Package::read(&bytes);
    package.check();
    let doc = package.paragraphs("word/document.xml");
    let headings: Vec<&str> = doc
        .iter()
        .filter(|(s, _)| s == "Heading1")
        .map(|(_, t)| t.as_str())
        .collect();
    assert_eq!(
        headings,
        [
            "Results",
            "Divergences",
            "Figures",
            "Tables",
            "Methods appendix",
            "COREQ checklist (Tong, Sainsbury & Craig 2007)"
        ]
    );
    assert!(
        doc.iter()
            .any(|(s, t)| s == "Heading2" && t == "La relation comme soin")
    );
    assert!(
        doc.iter()
            .any(|(s, t)| s == "Heading3" && t == "Construire la confiance")
    );
    let quotes: Vec<&str> = doc
        .iter()
        .filter(|(s, _)| s == "Quote")
        .map(|(_, t)| t.as_str())
        .collect();
    // The exemplars amira marked are quoted, each in the Quote style.
    let marked: Vec<String> = json(&ws, &["coding", "list"])
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["is_quote"] == true && !c["speakers"].as_array().unwrap().is_empty())
        .map(|c| c["text"].as_str().unwrap().trim().to_owned())
        .collect();
    assert!(!marked.is_empty());
    for m in &marked {
        assert!(quotes.iter().any(|q| q == m), "exemplar not quoted: {m}");
    }
    let xml = package.text("word/document.xml");
    let tables = xml.matches("<w:tbl>").count();
    assert!(tables >= 7, "{tables} tables");
    assert_eq!(xml.matches("<w:tblHeader").count(), tables);
    assert!(doc.iter().any(
        |(s, t)| s == "Caption" && t == "Sociodemographic characteristics of the participants"
    ));
}

/// The DOCX opens in LibreOffice: converted to PDF headless. CI installs
/// `libreoffice-writer` and sets VERBATIM_REQUIRE_SOFFICE=1, under which a
/// missing `soffice` fails; elsewhere it is skipped with a notice.
#[test]
fn docx_converts_to_pdf_with_libreoffice() {
    let found = std::process::Command::new("soffice")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var("VERBATIM_REQUIRE_SOFFICE").is_err(),
            "VERBATIM_REQUIRE_SOFFICE is set but soffice is not installed (apt-get install libreoffice-writer)"
        );
        eprintln!("notice: soffice not found, DOCX → PDF conversion not checked");
        return;
    }
    let ws = demo();
    report(&ws, "docx", "report.docx", &[]);
    let profile = format!("-env:UserInstallation=file://{}", ws.path("lo").display());
    let out = std::process::Command::new("soffice")
        .args([
            &profile,
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            ws.dir.path().to_str().unwrap(),
            ws.path("report.docx").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let pdf = std::fs::read(ws.path("report.pdf")).unwrap_or_else(|_| {
        panic!(
            "LibreOffice did not convert the report: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(pdf.starts_with(b"%PDF"));
    let pages = String::from_utf8_lossy(&pdf)
        .matches("/Type /Page\n")
        .count()
        + String::from_utf8_lossy(&pdf).matches("/Type/Page/").count();
    assert!(
        pdf.len() > 20_000,
        "a {}-byte PDF ({pages} pages)",
        pdf.len()
    );
}

/// A member-checking document holds the participant's own words only:
/// CHFG-C spoke in a focus group whose coded passages run across several
/// speakers, and not one other speaker's turn appears; it is in French,
/// their transcript's language.
#[test]
fn member_check_shows_only_the_participants_own_words() {
    let ws = demo();
    // A passage running from another participant's turn into CHFG-C's,
    // coded under a theme: only CHFG-C's part of it may be shown.
    let fg = ws.show("4");
    let list = fg["turns"].as_array().unwrap();
    let at = (1..list.len())
        .find(|&i| {
            list[i]["speaker"] == "CHFG-C"
                && list[i - 1]["speaker"]
                    .as_str()
                    .unwrap()
                    .starts_with("CHFG-")
        })
        .expect("CHFG-C answers a colleague somewhere");
    let (before, theirs) = (&list[at - 1], &list[at]);
    ws.run(&[
        "coding",
        "add",
        "--project",
        "study.vbt",
        "--coder",
        "amira",
        "--source",
        "4",
        "--code",
        "Ne pas juger",
        "--start",
        &before["start"].to_string(),
        "--end",
        &theirs["end"].to_string(),
    ])
    .ok();
    let codings = json(&ws, &["coding", "list"]);
    let straddling = codings.as_array().unwrap().iter().any(|c| {
        let speakers = c["speakers"].as_array().unwrap();
        speakers.iter().any(|s| s == "CHFG-C") && speakers.len() > 1
    });
    assert!(straddling, "the fixture lost its mixed passages");
    let md = report(&ws, "md", "member.md", &["--participant", "CHFG-C"]);
    assert!(md.starts_with("# Résultats préliminaires : vos propos — CHFG-C"));
    assert!(md.contains("Ce document ne contient les propos d’aucun autre participant."));
    let mut own = 0;
    for (speaker, speech) in turns(&fg) {
        let speech = speech.trim();
        if speaker == "CHFG-C" {
            if md.contains(&markdown_escape(speech.lines().next().unwrap_or(""))) {
                own += 1;
            }
            continue;
        }
        for sentence in speech.split(['.', '?', '!', '…', '\n']) {
            let sentence = sentence.trim();
            if sentence.chars().count() >= 25 {
                assert!(
                    !md.contains(&markdown_escape(sentence)),
                    "{speaker}'s words in CHFG-C's document: {sentence}"
                );
            }
        }
    }
    assert!(own > 0, "none of CHFG-C's own turns is quoted");
    // Another participant's code never appears either.
    for other in ["CHFG-A", "CHFG-B", "CHFG-D", "CHFG-E", "CHI-1"] {
        assert!(!md.contains(other), "{other} named in CHFG-C's document");
    }
    // An English-speaking participant gets English labels.
    let html = report(&ws, "html", "member.html", &["--participant", "CAI-1"]);
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Preliminary results: your words — CAI-1"));
}

fn markdown_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if "\\*_`[]<>^~#".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Refusals: one sentence, a non-zero exit, and no file written.
#[test]
fn bad_requests_are_refused_and_write_nothing() {
    let ws = Workspace::empty();
    ws.run(&["demo", "--project", "study.vbt", "--blind"]).ok();
    let cases: [(&[&str], &str); 3] = [
        (&["--participant", "NOBODY"], "no participant \"NOBODY\""),
        (&["--shared"], "run `verbatim reveal` first"),
        (&["--language", "de"], "English (en) or French (fr)"),
    ];
    for (extra, message) in cases {
        let mut args = vec![
            "report",
            "--project",
            "study.vbt",
            "--coder",
            "amira",
            "--format",
            "html",
            "--out",
            "r.html",
        ];
        args.extend_from_slice(extra);
        let run = ws.run(&args);
        assert_ne!(run.code, 0, "{extra:?} accepted");
        assert!(run.stderr.contains(message), "{extra:?}: {}", run.stderr);
        assert!(!ws.path("r.html").exists());
    }
}

/// A DOCX package read into memory.
pub(crate) struct Package {
    parts: BTreeMap<String, Vec<u8>>,
}

impl Package {
    pub(crate) fn read(bytes: &[u8]) -> Self {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut parts = BTreeMap::new();
        for i in 0..zip.len() {
            let mut file = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            file.read_to_end(&mut data).unwrap();
            parts.insert(file.name().unwrap().into_owned(), data);
        }
        Self { parts }
    }

    fn text(&self, part: &str) -> String {
        String::from_utf8(self.parts[part].clone()).unwrap()
    }

    /// Returns every element of a part as (local name, attributes).
    fn elements(&self, part: &str) -> Vec<(String, HashMap<String, String>)> {
        let xml = self.text(part);
        let mut reader = quick_xml::Reader::from_str(&xml);
        let mut out = Vec::new();
        loop {
            match reader.read_event() {
                Ok(Event::Start(e)) | Ok(Event::Empty(e)) => out.push(element(&e)),
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("{part} is not well-formed XML: {e}"),
            }
        }
        out
    }

    /// Checks the package the way an OOXML consumer does.
    pub(crate) fn check(&self) {
        for name in self.parts.keys() {
            if name.ends_with(".xml") || name.ends_with(".rels") {
                self.elements(name);
            }
        }
        // Content types cover every part.
        let mut defaults = BTreeSet::new();
        let mut overrides = BTreeSet::new();
        for (tag, attrs) in self.elements("[Content_Types].xml") {
            match tag.as_str() {
                "Default" => {
                    defaults.insert(attrs["Extension"].to_lowercase());
                }
                "Override" => {
                    overrides.insert(attrs["PartName"].trim_start_matches('/').to_owned());
                }
                _ => {}
            }
        }
        for name in self.parts.keys().filter(|n| !n.ends_with('/')) {
            if name == "[Content_Types].xml" {
                continue;
            }
            let ext = name.rsplit('.').next().unwrap().to_lowercase();
            assert!(
                overrides.contains(name) || defaults.contains(&ext),
                "no content type for {name}"
            );
        }
        for part in &overrides {
            assert!(
                self.parts.contains_key(part),
                "content type for missing {part}"
            );
        }
        // Relationships resolve to parts.
        for rels in self.parts.keys().filter(|n| n.ends_with(".rels")) {
            let base = rels
                .strip_suffix(".rels")
                .unwrap()
                .replace("_rels/", "")
                .rsplit_once('/')
                .map_or(String::new(), |(dir, _)| format!("{dir}/"));
            for (tag, attrs) in self.elements(rels) {
                if tag != "Relationship" || attrs.get("TargetMode").is_some_and(|m| m == "External")
                {
                    continue;
                }
                let target = &attrs["Target"];
                let path = match target.strip_prefix('/') {
                    Some(absolute) => absolute.to_owned(),
                    None => format!("{base}{target}"),
                };
                assert!(
                    self.parts.contains_key(&path),
                    "{rels}: {target} does not resolve"
                );
            }
        }
        // Every style used is defined.
        let defined: BTreeSet<String> = self
            .elements("word/styles.xml")
            .into_iter()
            .filter(|(tag, _)| tag == "style")
            .map(|(_, a)| a["styleId"].clone())
            .collect();
        for (tag, attrs) in self.elements("word/document.xml") {
            if matches!(tag.as_str(), "pStyle" | "rStyle" | "tblStyle") {
                assert!(
                    defined.contains(&attrs["val"]),
                    "style {} undefined",
                    attrs["val"]
                );
            }
        }
    }

    /// Returns each paragraph of a part as (style, text).
    pub(crate) fn paragraphs(&self, part: &str) -> Vec<(String, String)> {
        let xml = self.text(part);
        let mut reader = quick_xml::Reader::from_str(&xml);
        let mut out = Vec::new();
        let mut current: Option<(String, String)> = None;
        let mut in_text = false;
        loop {
            match reader.read_event().unwrap() {
                Event::Start(e) | Event::Empty(e) => {
                    let empty = matches!(
                        xml.as_bytes().get(reader.buffer_position() as usize - 2),
                        Some(b'/')
                    );
                    let (tag, attrs) = element(&e);
                    match tag.as_str() {
                        "p" if empty => out.push((String::new(), String::new())),
                        "p" => current = Some((String::new(), String::new())),
                        "pStyle" => {
                            if let Some(p) = current.as_mut() {
                                p.0 = attrs["val"].clone();
                            }
                        }
                        "t" if !empty => in_text = true,
                        "br" => {
                            if let Some(p) = current.as_mut() {
                                p.1.push('\n');
                            }
                        }
                        _ => {}
                    }
                }
                Event::Text(t) => {
                    if in_text && let Some(p) = current.as_mut() {
                        p.1.push_str(&t.xml10_content());
                    }
                }
                Event::GeneralRef(r) => {
                    if in_text && let Some(p) = current.as_mut() {
                        let resolved = match r.resolve_char_ref().unwrap() {
                            Some(c) => c.to_string(),
                            None => match &*r.xml10_content() {
                                "amp" => "&".into(),
                                "lt" => "<".into(),
                                "gt" => ">".into(),
                                "quot" => "\"".into(),
                                "apos" => "'".into(),
                                other => panic!("unknown entity {other}"),
                            },
                        };
                        p.1.push_str(&resolved);
                    }
                }
                Event::End(e) => {
                    let name = e.name().as_ref().to_owned();
                    match name.rsplit(':').next().unwrap() {
                        "t" => in_text = false,
                        "p" => out.extend(current.take()),
                        _ => {}
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        out
    }
}

fn element(e: &BytesStart<'_>) -> (String, HashMap<String, String>) {
    let name = e.name().as_ref().to_owned();
    let local = name.rsplit(':').next().unwrap().to_owned();
    let attrs = e
        .attributes()
        .map(|a| {
            let a = a.unwrap();
            let key = a.key.as_ref().to_owned();
            let key = key.rsplit(':').next().unwrap().to_owned();
            (
                key,
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .unwrap()
                    .into_owned(),
            )
        })
        .collect();
    (local, attrs)
}
