//! `participants`, `sites` and `attribute`: rosters in, codes out, the
//! sociodemographic table, consent; bad rosters change nothing.

use crate::common::{Workspace, zip_with};

/// One cell of a hand-built worksheet.
pub enum Cell<'a> {
    /// Text.
    Text(&'a str),
    /// A number.
    Number(f64),
    /// An Excel date (serial day number, shown with a date format).
    Date(f64),
}

/// Returns a minimal .xlsx workbook whose first sheet holds `rows`.
pub fn xlsx(rows: &[Vec<Cell<'_>>]) -> Vec<u8> {
    let mut sheet = String::new();
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!("<row r=\"{}\">", r + 1));
        for (c, cell) in row.iter().enumerate() {
            let at = format!("{}{}", char::from(b'A' + c as u8), r + 1);
            match cell {
                Cell::Text(t) => sheet.push_str(&format!(
                    "<c r=\"{at}\" t=\"inlineStr\"><is><t>{t}</t></is></c>"
                )),
                Cell::Number(n) => sheet.push_str(&format!("<c r=\"{at}\"><v>{n}</v></c>")),
                Cell::Date(n) => sheet.push_str(&format!("<c r=\"{at}\" s=\"1\"><v>{n}</v></c>")),
            }
        }
        sheet.push_str("</row>");
    }
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let rels = "http://schemas.openxmlformats.org/package/2006/relationships";
    let office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    zip_with(&[
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{rels}"><Relationship Id="rId1" Type="{office}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/workbook.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{office}"><sheets><sheet name="Roster" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{rels}"><Relationship Id="rId1" Type="{office}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{office}/styles" Target="styles.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/styles.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{main}"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#
            ),
        ),
        (
            "xl/worksheets/sheet1.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>{sheet}</sheetData></worksheet>"#
            ),
        ),
    ])
}

/// Returns a study with the two sites of the fixtures.
pub fn study_with_sites() -> Workspace {
    let ws = Workspace::with_study();
    ws.run(&[
        "sites",
        "add",
        "--project",
        "study.vbt",
        "Centre hospitalier de Valmont",
        "--code",
        "CH",
    ])
    .ok();
    ws.run(&[
        "sites",
        "add",
        "--project",
        "study.vbt",
        "Centre de soins",
        "--code",
        "CS",
    ])
    .ok();
    ws
}

fn p(ws: &Workspace, args: &[&str]) -> crate::common::Run {
    let mut all = vec!["participants"];
    all.extend_from_slice(&args[..1]);
    all.extend_from_slice(&["--project", "study.vbt"]);
    all.extend_from_slice(&args[1..]);
    ws.run(&all)
}

#[test]
fn an_xlsx_roster_is_imported_with_inferred_types() {
    let ws = study_with_sites();
    use Cell::{Date, Number, Text};
    ws.write(
        "roster.xlsx",
        xlsx(&[
            vec![
                Text("code"),
                Text("site"),
                Text("sexe"),
                Text("âge"),
                Text("entrée"),
                Text("infirmier"),
            ],
            vec![
                Text("CHFG-A"),
                Text("CH"),
                Text("F"),
                Number(34.0),
                Date(45363.0),
                Text("oui"),
            ],
            vec![
                Text("CHFG-B"),
                Text("Centre hospitalier de Valmont"),
                Text("M"),
                Number(41.5),
                Date(45000.0),
                Text("non"),
            ],
            vec![
                Text("CSI-1"),
                Text("CS"),
                Text("F"),
                Number(29.0),
                Date(44000.0),
                Text("oui"),
            ],
        ]),
    );
    let run = p(&ws, &["import", "roster.xlsx"]).ok();
    assert!(
        run.stdout.contains("Imported 3 participants"),
        "{}",
        run.stdout
    );
    let attrs = ws
        .run(&["attribute", "list", "--project", "study.vbt", "--json"])
        .ok()
        .json();
    let types: Vec<(&str, &str)> = attrs
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["name"].as_str().unwrap(), a["type"].as_str().unwrap()))
        .collect();
    assert_eq!(
        types,
        vec![
            ("sexe", "category"),
            ("âge", "number"),
            ("entrée", "date"),
            ("infirmier", "boolean")
        ]
    );
    let list = p(&ws, &["list", "--json"]).ok().json();
    let first = &list[0];
    assert_eq!(first["code"], "CHFG-A");
    assert_eq!(first["site_code"], "CH");
    assert_eq!(
        first["values"][2],
        serde_json::json!(["entrée", "2024-03-12"])
    );
    assert_eq!(list[1]["values"][1], serde_json::json!(["âge", "41.5"]));
}

#[test]
fn a_bad_roster_names_every_row_and_changes_nothing() {
    let ws = study_with_sites();
    ws.write(
        "ok.csv",
        "code;âge;sexe\nCHFG-A;34;F\nCHFG-B;41;M\nCHFG-C;29;F\n",
    );
    p(&ws, &["import", "ok.csv"]).ok();
    let before = ws.dump();
    ws.write(
        "bad.csv",
        "code;âge;sexe\nCSI-1;quarante;F\nCHFG-A;30;M\n;31;F\nCSI-2;32;X\nCSI-2;33;F\n",
    );
    let run = p(&ws, &["import", "bad.csv"]);
    assert_eq!(run.code, 1);
    for expected in [
        "bad.csv: nothing was imported",
        "row 2: âge \"quarante\" is not a number",
        "row 3: participant \"CHFG-A\" already exists",
        "row 4: the code is missing",
        "row 5: sexe \"X\" is not one of the allowed values (F, M)",
        "row 6: code \"CSI-2\" is used twice (first on row 5)",
    ] {
        assert!(
            run.stderr.contains(expected),
            "{expected:?} not in\n{}",
            run.stderr
        );
    }
    assert_eq!(ws.dump(), before);

    ws.write("cols.csv", "code;âge;couleur\nCSI-1;30;bleu\n");
    let run = p(&ws, &["import", "cols.csv"]);
    assert!(
        run.stderr
            .contains("column \"couleur\" is not a participant attribute"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.dump(), before);
}

#[test]
fn types_can_be_overridden_and_values_are_checked() {
    let ws = study_with_sites();
    ws.write(
        "r.csv",
        "code,profession,ancienneté\nA,infirmière,3\nB,psychiatre,12\nC,éducateur,7\n",
    );
    p(&ws, &["import", "r.csv", "--type", "profession=category"]).ok();
    let before = ws.dump();
    let run = p(&ws, &["set", "A", "ancienneté=trois"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("ancienneté \"trois\" is not a number"),
        "{}",
        run.stderr
    );
    let run = p(&ws, &["set", "A", "profession=pompier"]);
    assert!(
        run.stderr.contains("not one of the allowed values"),
        "{}",
        run.stderr
    );
    let run = p(&ws, &["set", "A", "taille=180"]);
    assert!(
        run.stderr.contains("no participant attribute \"taille\""),
        "{}",
        run.stderr
    );
    let run = p(&ws, &["set", "Z", "ancienneté=3"]);
    assert!(
        run.stderr.contains("no participant \"Z\""),
        "{}",
        run.stderr
    );
    assert_eq!(ws.dump(), before);
    p(&ws, &["set", "a", "ancienneté=4", "--site", "CH"]).ok();
    let list = p(&ws, &["list", "--json"]).ok().json();
    assert_eq!(list[0]["values"][1], serde_json::json!(["ancienneté", "4"]));
    assert_eq!(list[0]["site_code"], "CH");
}

#[test]
fn codes_are_unique_and_renames_are_undoable() {
    let ws = study_with_sites();
    p(&ws, &["add", "--code", "CHFG-C", "--site", "CH"]).ok();
    p(&ws, &["add", "--code", "CSI-2"]).ok();
    let run = p(&ws, &["add", "--code", "chfg-c"]);
    assert!(
        run.stderr.contains("already a participant \"chfg-c\""),
        "{}",
        run.stderr
    );
    let run = p(&ws, &["rename", "CHFG-C", "CSI-2"]);
    assert_eq!(run.code, 1);
    p(&ws, &["rename", "CHFG-C", "CHFG-D"]).ok();
    let list = p(&ws, &["list", "--json"]).ok().json();
    assert_eq!(list[0]["code"], "CHFG-D");
    ws.run(&["undo", "--project", "study.vbt"]).ok();
    let list = p(&ws, &["list", "--json"]).ok().json();
    assert_eq!(list[0]["code"], "CHFG-C");
}

#[test]
fn consent_is_recorded_and_listed() {
    let ws = study_with_sites();
    p(&ws, &["add", "--code", "CHFG-C"]).ok();
    p(
        &ws,
        &[
            "consent",
            "CHFG-C",
            "--date",
            "12/03/2024",
            "--scope",
            "enregistrement, citations",
            "--version",
            "v2",
        ],
    )
    .ok();
    let records = p(&ws, &["consent", "--json"]).ok().json();
    assert_eq!(records[0]["date"], "2024-03-12");
    assert_eq!(records[0]["sheet_version"], "v2");
    assert_eq!(records[0]["status"], "given");
    let before = ws.dump();
    let run = p(
        &ws,
        &["consent", "CHFG-C", "--date", "hier", "--scope", "x"],
    );
    assert!(
        run.stderr.contains("\"hier\" is not a date"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.dump(), before);
}

#[test]
fn the_sociodemographic_table_prints_as_text_markdown_csv_and_json() {
    let ws = study_with_sites();
    ws.write(
        "r.csv",
        "code,site,sexe,âge\nCHFG-A,CH,F,30\nCHFG-B,CH,F,40\nCHFG-C,CH,M,50\nCSI-1,CS,F,20\n",
    );
    p(&ws, &["import", "r.csv"]).ok();
    let json = p(&ws, &["table", "--by", "site", "--json"]).ok().json();
    assert_eq!(
        json["columns"][0],
        serde_json::json!({"name": "All", "n": 4})
    );
    assert_eq!(
        json["columns"][1],
        serde_json::json!({"name": "CH", "n": 3})
    );
    let f = &json["rows"][0];
    assert_eq!(f["value"], "F");
    assert_eq!(f["cells"][0]["count"], 3);
    assert_eq!(f["cells"][0]["percent"], 75.0);
    let md = p(&ws, &["table", "--by", "site", "--markdown"]).ok().stdout;
    assert!(md.contains("| All (n=4) | CH (n=3) | CS (n=1) |"), "{md}");
    assert!(
        md.contains("|   F | 3 (75 %) | 2 (67 %) | 1 (100 %) |"),
        "{md}"
    );
    assert!(md.contains("35.0 (20–50)"), "{md}");
    let csv = p(&ws, &["table", "--csv"]).ok().stdout;
    assert!(csv.contains("sexe: F,3 (75 %)"), "{csv}");
    let text = p(&ws, &["table"]).ok().stdout;
    assert!(text.contains("All (n=4)"), "{text}");
}

#[test]
fn the_scheme_can_change_template_modes_and_rank_styles() {
    let ws = study_with_sites();
    let scheme = p(&ws, &["scheme", "--json"]).ok().json();
    assert_eq!(scheme["template"], "{site}{mode}-{rank}");
    let before = ws.dump();
    let run = p(&ws, &["scheme", "--template", "{site}{mode}"]);
    assert!(run.stderr.contains("has no {rank}"), "{}", run.stderr);
    let run = p(&ws, &["scheme", "--mode", "interviews=E"]);
    assert!(
        run.stderr.contains("no source kind \"interviews\""),
        "{}",
        run.stderr
    );
    assert_eq!(ws.dump(), before);
    p(
        &ws,
        &[
            "scheme",
            "--template",
            "{site}-{mode}{rank}",
            "--mode",
            "interview=E:letters",
        ],
    )
    .ok();
    ws.write("r.csv", "nom,site\nJean,CS\nAnne,CS\n");
    p(&ws, &["import", "r.csv"]).ok();
    ws.write(
        "cs/e1.txt",
        "INT : Bonjour.\nAnne : Bonjour.\nINT : Alors ?\nAnne : Oui.\n",
    );
    ws.write(
        "cs/e2.txt",
        "INT : Bonjour.\nJean : Bonjour.\nINT : Alors ?\nJean : Non.\n",
    );
    ws.import(&["cs", "--kind", "interview", "--site", "Centre de soins"])
        .ok();
    let done = p(&ws, &["assign", "--json"]).ok().json();
    let codes: Vec<&str> = done["assigned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["CS-EA", "CS-EB"]);
    let list = p(&ws, &["list", "--json"]).ok().json();
    assert_eq!(list[0]["label"], "Anne");
    assert_eq!(list[0]["turns"], 2);
}

#[test]
fn source_attributes_are_typed_too() {
    let ws = study_with_sites();
    ws.write("a.txt", crate::common::interview_lines());
    ws.import(&["a.txt"]).ok();
    ws.run(&[
        "attribute",
        "add",
        "--project",
        "study.vbt",
        "mode",
        "--type",
        "category",
        "--for",
        "source",
        "--values",
        "présentiel,visio",
    ])
    .ok();
    ws.run(&[
        "attribute",
        "add",
        "--project",
        "study.vbt",
        "durée",
        "--type",
        "number",
        "--for",
        "source",
    ])
    .ok();
    let before = ws.dump();
    let run = ws.run(&[
        "attribute",
        "set",
        "--project",
        "study.vbt",
        "--source",
        "a",
        "mode=téléphone",
    ]);
    assert!(
        run.stderr
            .contains("mode \"téléphone\" is not one of the allowed values"),
        "{}",
        run.stderr
    );
    assert_eq!(ws.dump(), before);
    ws.run(&[
        "attribute",
        "set",
        "--project",
        "study.vbt",
        "--source",
        "a",
        "mode=Visio",
        "durée=52,5",
    ])
    .ok();
    let conn = rusqlite::Connection::open(ws.study()).unwrap();
    let values: Vec<String> = conn
        .prepare("SELECT value FROM source_values ORDER BY attribute_id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(values, vec!["visio", "52.5"]);
}
