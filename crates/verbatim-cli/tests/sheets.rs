//! `verbatim export --format csv|xlsx` and `verbatim import codebook`:
//! rows match what the coder sees, workbooks open, text stays text,
//! codebooks round-trip, bad rows are named and change nothing.

use std::collections::BTreeSet;
use std::io::Read;

use calamine::{Data, Reader};

use crate::common::{Run, Workspace};

/// Runs `verbatim ARGS --project study.vbt --coder CODER`.
fn as_coder(ws: &Workspace, coder: &str, args: &[&str]) -> Run {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--project", "study.vbt", "--coder", coder]);
    ws.run(&all)
}

/// Returns the demo study in a fresh workspace.
fn demo() -> Workspace {
    let ws = Workspace::empty();
    ws.run(&["demo", "--project", "study.vbt", "--blind"]).ok();
    ws
}

/// Reads a CSV written by the export (BOM expected) into rows of cells.
fn read_csv(ws: &Workspace, name: &str, separator: u8) -> Vec<Vec<String>> {
    let bytes = std::fs::read(ws.path(name)).unwrap();
    let body = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .expect("the CSV starts with a UTF-8 byte-order mark");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(separator)
        .from_reader(body)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// Reads the first sheet of a workbook into rows of cells as text.
fn read_xlsx(ws: &Workspace, name: &str) -> Vec<Vec<Data>> {
    let mut book = calamine::open_workbook_auto(ws.path(name)).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range.rows().map(<[Data]>::to_vec).collect()
}

/// Returns a workbook cell as the CSV writes it.
fn as_text(cell: &Data) -> String {
    match cell {
        Data::Float(f) => format!("{}", *f as i64),
        Data::Int(i) => i.to_string(),
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("unexpected cell {other:?}"),
    }
}

/// Returns the XML of a workbook part.
fn xlsx_part(ws: &Workspace, name: &str, part: &str) -> String {
    let file = std::fs::File::open(ws.path(name)).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut xml = String::new();
    zip.by_name(part).unwrap().read_to_string(&mut xml).unwrap();
    xml
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name:?} in {header:?}"))
}

#[test]
fn segments_are_the_codings_the_coder_sees_in_csv_and_xlsx() {
    let ws = demo();
    let listed = as_coder(&ws, "amira", &["coding", "list", "--json"])
        .ok()
        .json();
    let listed = listed.as_array().unwrap();
    let want: BTreeSet<(String, String, u64, u64, String)> = listed
        .iter()
        .map(|c| {
            (
                c["source"].as_str().unwrap().to_owned(),
                c["code"].as_str().unwrap().to_owned(),
                c["start"].as_u64().unwrap(),
                c["end"].as_u64().unwrap(),
                c["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect();

    let run = as_coder(
        &ws,
        "amira",
        &["export", "--format", "csv", "--out", "segments.csv"],
    )
    .ok();
    assert!(
        run.stdout
            .contains(&format!("Wrote {} coded segments (amira)", listed.len())),
        "{}",
        run.stdout
    );
    let rows = read_csv(&ws, "segments.csv", b',');
    let header = &rows[0];
    for name in [
        "source",
        "participant",
        "age",
        "occupation",
        "speaker",
        "code path",
        "level",
        "coder",
        "start",
        "end",
        "text",
        "translation (en)",
        "memo",
        "quote",
    ] {
        column(header, name);
    }
    let (source, code, start, end, text, coder) = (
        column(header, "source"),
        column(header, "code"),
        column(header, "start"),
        column(header, "end"),
        column(header, "text"),
        column(header, "coder"),
    );
    assert_eq!(rows.len() - 1, listed.len());
    let got: BTreeSet<(String, String, u64, u64, String)> = rows[1..]
        .iter()
        .map(|r| {
            (
                r[source].clone(),
                r[code].clone(),
                r[start].parse().unwrap(),
                r[end].parse().unwrap(),
                // The CSV marks text that would start a formula.
                r[text]
                    .strip_prefix('\'')
                    .filter(|t| t.starts_with(['=', '+', '-', '@']))
                    .unwrap_or(&r[text])
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(got, want);
    assert!(rows[1..].iter().all(|r| r[coder] == "amira"));
    // French accents survive, in code paths and in passages.
    assert!(
        rows[1..]
            .iter()
            .any(|r| r[column(header, "code path")].contains("Épreuves de la confiance")),
        "no accented code path"
    );
    assert!(
        rows[1..]
            .iter()
            .any(|r| r[text].contains("é") && r[text].contains("’")),
        "no accented passage"
    );
    // Interview passages name their participant and carry the roster's attributes.
    let participant = column(header, "participant");
    let occupation = column(header, "occupation");
    let interview = rows[1..]
        .iter()
        .find(|r| r[participant] == "CHI-1")
        .expect("a passage of CHI-1");
    assert_eq!(interview[occupation], "nurse");
    // Code paths run from the top of the tree to the code.
    let path = column(header, "code path");
    assert!(
        rows[1..]
            .iter()
            .all(|r| r[path].ends_with(&format!("/ {}", r[code])) || r[path] == r[code])
    );

    as_coder(
        &ws,
        "amira",
        &["export", "--format", "xlsx", "--out", "segments.xlsx"],
    )
    .ok();
    let sheet = read_xlsx(&ws, "segments.xlsx");
    assert_eq!(sheet.len(), rows.len());
    for (csv_row, xlsx_row) in rows.iter().zip(&sheet) {
        let xlsx_row: Vec<String> = xlsx_row.iter().map(as_text).collect();
        let csv_row: Vec<String> = csv_row
            .iter()
            .map(|c| {
                c.strip_prefix('\'')
                    .filter(|t| t.starts_with(['=', '+', '-', '@']))
                    .unwrap_or(c)
                    .to_owned()
            })
            .collect();
        assert_eq!(xlsx_row, csv_row);
    }
    let xml = xlsx_part(&ws, "segments.xlsx", "xl/worksheets/sheet1.xml");
    assert!(xml.contains("state=\"frozen\""), "header row not frozen");
    assert!(xml.contains("<autoFilter ref=\"A1:"), "no autofilter");
    assert!(xml.contains("<col "), "no column widths");
    let styles = xlsx_part(&ws, "segments.xlsx", "xl/styles.xml");
    assert!(styles.contains("<b/>"), "no bold font for the header");
}

#[test]
fn blind_layers_hold_until_the_study_is_revealed() {
    let ws = demo();
    let count = |coder: &str| {
        as_coder(&ws, coder, &["coding", "list", "--json"])
            .ok()
            .json()
            .as_array()
            .unwrap()
            .len()
    };
    let (amira, bruno, chloe) = (count("amira"), count("bruno"), count("chloe"));
    as_coder(
        &ws,
        "bruno",
        &["export", "--format", "csv", "--out", "b.csv"],
    )
    .ok();
    let rows = read_csv(&ws, "b.csv", b',');
    let coder = column(&rows[0], "coder");
    assert_eq!(rows.len() - 1, bruno);
    assert!(rows[1..].iter().all(|r| r[coder] == "bruno"));

    let refused = as_coder(
        &ws,
        "bruno",
        &["export", "--format", "csv", "--out", "all.csv", "--all"],
    );
    assert_ne!(refused.code, 0);
    assert!(
        refused.stderr.contains("coding is blind"),
        "{}",
        refused.stderr
    );
    assert!(!ws.path("all.csv").exists());

    ws.run(&["reveal", "--project", "study.vbt"]).ok();
    as_coder(
        &ws,
        "bruno",
        &["export", "--format", "xlsx", "--out", "all.xlsx", "--all"],
    )
    .ok();
    let sheet = read_xlsx(&ws, "all.xlsx");
    assert_eq!(sheet.len() - 1, amira + bruno + chloe);
}

/// A study whose transcript has turns starting with formula characters,
/// each coded by `amira`.
fn formula_study() -> Workspace {
    let ws = Workspace::with_study();
    ws.write(
        "entretien.txt",
        "INT : Vous comptez comment ?\n\
         CSI-2 : =SOMME(A1:A9) c’est ce que je tape le soir.\n\
         INT : Et ensuite ?\n\
         CSI-2 : -Rien, je dors.\n\
         INT : Et le téléphone ?\n\
         CSI-2 : +33 6 12 34 56 78, on m’appelle la nuit.\n\
         INT : Un pseudo ?\n\
         CSI-2 : @équipe_nuit sur la messagerie.\n",
    );
    ws.import(&["entretien.txt"]).ok();
    ws.run(&["coder", "add", "--project", "study.vbt", "amira"])
        .ok();
    as_coder(&ws, "amira", &["code", "add", "Chiffres"]).ok();
    for passage in [
        "=SOMME(A1:A9) c’est ce que je tape le soir.",
        "-Rien, je dors.",
        "+33 6 12 34 56 78, on m’appelle la nuit.",
        "@équipe_nuit sur la messagerie.",
    ] {
        as_coder(
            &ws,
            "amira",
            &[
                "coding",
                "add",
                "--source",
                "entretien",
                "--code",
                "Chiffres",
                &format!("--text={passage}"),
            ],
        )
        .ok();
    }
    ws
}

#[test]
fn text_that_looks_like_a_formula_is_written_as_text() {
    let ws = formula_study();
    as_coder(
        &ws,
        "amira",
        &[
            "export",
            "--format",
            "csv",
            "--out",
            "s.csv",
            "--separator",
            "semicolon",
        ],
    )
    .ok();
    let rows = read_csv(&ws, "s.csv", b';');
    let text = column(&rows[0], "text");
    let cells: Vec<&str> = rows[1..].iter().map(|r| r[text].as_str()).collect();
    assert_eq!(
        cells,
        [
            "'=SOMME(A1:A9) c’est ce que je tape le soir.",
            "'-Rien, je dors.",
            "'+33 6 12 34 56 78, on m’appelle la nuit.",
            "'@équipe_nuit sur la messagerie.",
        ]
    );

    as_coder(
        &ws,
        "amira",
        &["export", "--format", "xlsx", "--out", "s.xlsx"],
    )
    .ok();
    let sheet = read_xlsx(&ws, "s.xlsx");
    let header: Vec<String> = sheet[0].iter().map(as_text).collect();
    let text = column(&header, "text");
    let first = &sheet[1][text];
    assert_eq!(
        first,
        &Data::String("=SOMME(A1:A9) c’est ce que je tape le soir.".into())
    );
    let xml = xlsx_part(&ws, "s.xlsx", "xl/worksheets/sheet1.xml");
    assert!(!xml.contains("<f>"), "a formula was written: {xml}");
}

#[test]
fn without_a_bom_the_csv_starts_with_the_header() {
    let ws = formula_study();
    as_coder(
        &ws,
        "amira",
        &["export", "--format", "csv", "--out", "s.csv", "--no-bom"],
    )
    .ok();
    let bytes = std::fs::read(ws.path("s.csv")).unwrap();
    assert!(bytes.starts_with(b"source,site,participant,"));
    // RFC 4180 line ends.
    assert!(String::from_utf8(bytes).unwrap().contains("quote\r\n"));
}

/// Returns the codebook columns an import reads back (counts left out).
fn codebook_rows(ws: &Workspace, name: &str) -> Vec<Vec<String>> {
    let rows = if name.ends_with(".xlsx") {
        read_xlsx(ws, name)
            .iter()
            .map(|r| r.iter().map(as_text).collect())
            .collect()
    } else {
        read_csv(ws, name, b',')
    };
    rows.into_iter().map(|r| r[..8].to_vec()).collect()
}

#[test]
fn an_exported_codebook_imports_back_unchanged() {
    let ws = demo();
    for coder in ["dana", "eve"] {
        ws.run(&["coder", "add", "--project", "study.vbt", coder])
            .ok();
    }
    for (format, importer) in [("csv", "dana"), ("xlsx", "eve")] {
        let out = format!("amira.{format}");
        as_coder(
            &ws,
            "amira",
            &[
                "export", "--format", format, "--what", "codebook", "--out", &out,
            ],
        )
        .ok();
        let run = as_coder(&ws, importer, &["import", "codebook", &out]).ok();
        assert!(run.stdout.contains("Imported 64 codes"), "{}", run.stdout);
        let back = format!("{importer}.{format}");
        as_coder(
            &ws,
            importer,
            &[
                "export", "--format", format, "--what", "codebook", "--out", &back,
            ],
        )
        .ok();
        let original = codebook_rows(&ws, &out);
        assert_eq!(original[0][..3], ["code path", "code", "level"]);
        assert!(original.len() > 60);
        assert_eq!(codebook_rows(&ws, &back), original, "{format}");
    }
    // A code under two themes is one code with two parents.
    let tree = as_coder(&ws, "dana", &["code", "tree", "--json"])
        .ok()
        .json();
    let linked = tree
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !c["also_under"].as_array().unwrap().is_empty())
        .count();
    assert_eq!(linked, 2);
    // One undo removes the whole import.
    as_coder(&ws, "dana", &["undo"]).ok();
    let tree = as_coder(&ws, "dana", &["code", "tree", "--json"])
        .ok()
        .json();
    assert!(tree.as_array().unwrap().is_empty());
}

#[test]
fn a_french_spreadsheet_codebook_goes_into_the_shared_codebook() {
    let ws = Workspace::with_study();
    ws.run(&["coder", "add", "--project", "study.vbt", "amira"])
        .ok();
    // Excel in French writes semicolons and Windows-1252.
    let text = "Nom;Code parent;Niveau;Définition;Critères d'exclusion;Couleur\r\n\
                Relation soignante;;thème;Ce qui se joue entre soignant et usager;;#1F77B4\r\n\
                Confiance;Relation soignante;idée;Se fier à l'autre;Confiance en soi;\r\n\
                Méfiance;Relation soignante;idée;;;\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    ws.write("grille.csv", &bytes);
    let run = as_coder(
        &ws,
        "amira",
        &["import", "codebook", "grille.csv", "--shared"],
    )
    .ok();
    assert!(
        run.stdout
            .contains("Imported 3 codes into the shared codebook"),
        "{}",
        run.stdout
    );
    as_coder(
        &ws,
        "amira",
        &[
            "export", "--format", "csv", "--what", "codebook", "--shared", "--out", "s.csv",
        ],
    )
    .ok();
    let rows = read_csv(&ws, "s.csv", b',');
    let got: Vec<Vec<&str>> = rows[1..]
        .iter()
        .map(|r| r[..8].iter().map(String::as_str).collect())
        .collect();
    assert_eq!(
        got,
        [
            vec![
                "Relation soignante",
                "Relation soignante",
                "theme",
                "Ce qui se joue entre soignant et usager",
                "",
                "",
                "",
                "#1f77b4"
            ],
            vec![
                "Relation soignante / Confiance",
                "Confiance",
                "idea",
                "Se fier à l'autre",
                "",
                "Confiance en soi",
                "",
                ""
            ],
            vec![
                "Relation soignante / Méfiance",
                "Méfiance",
                "idea",
                "",
                "",
                "",
                "",
                ""
            ],
        ]
    );
    // The coder's own codebook was left alone.
    let own = as_coder(&ws, "amira", &["code", "tree", "--json"])
        .ok()
        .json();
    assert!(own.as_array().unwrap().is_empty(), "{own}");
}

#[test]
fn a_bad_row_is_named_and_nothing_is_imported() {
    let ws = Workspace::with_study();
    ws.run(&["coder", "add", "--project", "study.vbt", "amira"])
        .ok();
    let before = ws.dump();
    let cases = [
        (
            "niveau.csv",
            "chemin;niveau\nRelation;thème\nRelation > Confiance;catégorie\n",
            "niveau.csv: row 3, column \"niveau\": unknown level \"catégorie\"",
        ),
        (
            "double.csv",
            "code,definition\nConfiance,Se fier\nMéfiance,\nConfiance,Douter\n",
            "double.csv: row 4, column \"definition\": code \"Confiance\" is also on row 2",
        ),
        ("cycle.csv", "code,parent\nA,B\nB,A\n", "closes a cycle"),
        (
            "colonnes.csv",
            "Remarque,Auteur\nx,y\n",
            "no column holds the codes",
        ),
    ];
    for (name, text, message) in cases {
        ws.write(name, text);
        let run = as_coder(&ws, "amira", &["import", "codebook", name]);
        assert_ne!(run.code, 0, "{name}");
        assert!(run.stderr.contains(message), "{name}: {}", run.stderr);
        assert!(
            run.stderr.contains("nothing was imported"),
            "{}",
            run.stderr
        );
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    }
    ws.write("broken.xlsx", b"PK\x03\x04 not really a workbook");
    let run = as_coder(&ws, "amira", &["import", "codebook", "broken.xlsx"]);
    assert!(
        run.stderr
            .contains("broken.xlsx: the workbook could not be read"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.dump(), before);
}

#[test]
fn a_folder_named_codebook_makes_the_command_say_how_to_choose() {
    let ws = Workspace::with_study();
    ws.write(
        "codebook/entretien.txt",
        "INT : Bonjour.\nCSI-2 : Bonjour à vous.\n",
    );
    ws.write("grille.csv", "code\nConfiance\n");
    ws.run(&["coder", "add", "--project", "study.vbt", "amira"])
        .ok();
    let run = as_coder(&ws, "amira", &["import", "codebook", "grille.csv"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("verbatim import ./codebook"),
        "{}",
        run.stderr
    );
    let run = ws.import(&["./codebook"]).ok();
    assert!(run.stdout.contains("1 imported"), "{}", run.stdout);
}

/// The `.qdc` route calls `verbatim_exchange::refi::read_codebook`, which
/// the REFI-QDA work provides.
#[test]
fn a_qdc_codebook_is_imported() {
    let ws = Workspace::with_study();
    ws.run(&["coder", "add", "--project", "study.vbt", "amira"])
        .ok();
    ws.write(
        "grille.qdc",
        r#"<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="verbatim test">
  <Codes>
    <Code guid="6f1c3a52-0d0b-4b8e-9c55-3e2a1b7d9f10" name="Relation" isCodable="true">
      <Description>Ce qui se joue entre soignant et usager</Description>
      <Code guid="8a2d4b63-1e1c-4c9f-8d66-4f3b2c8e0a21" name="Confiance" isCodable="true"/>
    </Code>
  </Codes>
</CodeBook>"#,
    );
    let run = as_coder(&ws, "amira", &["import", "codebook", "grille.qdc"]).ok();
    assert!(run.stdout.contains("Imported 2 codes"), "{}", run.stdout);
    let tree = as_coder(&ws, "amira", &["code", "tree", "--json"])
        .ok()
        .json();
    let names: Vec<&str> = tree
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Relation", "Confiance"]);
}

#[test]
fn shared_exports_only_codings_with_shared_codes() {
    let ws = formula_study();
    as_coder(&ws, "amira", &["code", "add", "Nuit", "--shared"]).ok();
    as_coder(
        &ws,
        "amira",
        &[
            "coding",
            "add",
            "--source",
            "entretien",
            "--code",
            "Nuit",
            "--text",
            "on m’appelle la nuit",
        ],
    )
    .ok();
    as_coder(
        &ws,
        "amira",
        &["export", "--format", "csv", "--out", "s.csv", "--shared"],
    )
    .ok();
    let rows = read_csv(&ws, "s.csv", b',');
    let (code, text) = (column(&rows[0], "code"), column(&rows[0], "text"));
    let got: Vec<(&str, &str)> = rows[1..]
        .iter()
        .map(|r| (r[code].as_str(), r[text].as_str()))
        .collect();
    assert_eq!(got, [("Nuit", "on m’appelle la nuit")]);
    // Without --shared, the coder's own and shared codes both appear.
    as_coder(
        &ws,
        "amira",
        &["export", "--format", "csv", "--out", "a.csv"],
    )
    .ok();
    assert_eq!(read_csv(&ws, "a.csv", b',').len() - 1, 5);
}
