//! The participants, sources, analysis, compare and journal pages and
//! their JSON endpoints, over plain HTTP against the real `verbatim serve`
//! on the demo study: what a page shows is escaped, a change without the
//! CSRF token is refused and changes nothing, a change with it is stored
//! (read back through the CLI), bad input gets one sentence, and the
//! numbers equal the CLI's for the same question.

use serde_json::{Value, json};

use crate::browser::{Reply, http, serve, token_of};
use crate::common::Workspace;

/// Sends a JSON request with the page's token and cookie.
fn send(base: &str, method: &str, path: &str, body: &Value) -> Reply {
    let (token, cookie) = token_of(base);
    http(
        base,
        method,
        path,
        &[
            ("Content-Type", "application/json"),
            ("Cookie", &cookie),
            ("X-CSRF-Token", &token),
        ],
        &body.to_string(),
    )
}

/// Sends a file as the raw body of an upload, with the token.
fn upload(base: &str, path: &str, bytes: &str) -> Reply {
    let (token, cookie) = token_of(base);
    http(
        base,
        "POST",
        path,
        &[
            ("Content-Type", "application/octet-stream"),
            ("Cookie", &cookie),
            ("X-CSRF-Token", &token),
        ],
        bytes,
    )
}

fn get(base: &str, path: &str) -> Reply {
    http(base, "GET", path, &[], "")
}

fn json_of(reply: &Reply) -> Value {
    serde_json::from_str(&reply.body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", reply.status, reply.body))
}

/// Returns a participant's attribute value as the CLI lists it.
pub(crate) fn cli_value(ws: &Workspace, code: &str, attribute: &str) -> Option<String> {
    let people = ws
        .run(&["participants", "list", "--project", "demo.vbt", "--json"])
        .ok()
        .json();
    people
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == code)
        .and_then(|p| {
            p["values"]
                .as_array()
                .unwrap()
                .iter()
                .find(|v| v[0] == attribute)
                .map(|v| v[1].as_str().unwrap().to_owned())
        })
}

fn demo() -> Workspace {
    let ws = Workspace::empty();
    ws.run(&["demo", "--project", "demo.vbt", "--blind"]).ok();
    ws
}

#[test]
fn participant_edits_need_the_token_are_checked_and_persist_and_labels_show_as_text() {
    let ws = demo();
    ws.run(&[
        "participants",
        "add",
        "--project",
        "demo.vbt",
        "--code",
        "CHX-9",
        "--label",
        "<script>window.__x=1</script> & Co",
        "--site",
        "CH",
    ])
    .ok();
    let server = serve(&ws, "demo.vbt", "amira");
    let base = server.base.as_str();

    let page = get(base, "/participants");
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("&#60;script&#62;window.__x=1&#60;/script&#62; &#38; Co")
            || page
                .body
                .contains("&lt;script&gt;window.__x=1&lt;/script&gt; &amp; Co"),
        "the label is escaped"
    );
    assert!(!page.body.contains("<script>window.__x"));
    let people = json_of(&get(base, "/api/participants"));
    let chi1 = people
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "CHI-1")
        .unwrap();
    let id = chi1["id"].as_i64().unwrap();
    let before = cli_value(&ws, "CHI-1", "occupation");
    assert_ne!(before.as_deref(), Some("psychologist"));

    // No token: refused, nothing changed.
    let path = format!("/api/participants/{id}");
    let body = json!({"values": {"occupation": "psychologist"}}).to_string();
    let refused = http(
        base,
        "PATCH",
        &path,
        &[("Content-Type", "application/json")],
        &body,
    );
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(cli_value(&ws, "CHI-1", "occupation"), before);

    // A value the attribute's type refuses: one sentence, nothing changed.
    let bad = send(
        base,
        "PATCH",
        &path,
        &json!({"values": {"age": "quarante"}}),
    );
    assert_eq!(bad.status, 409, "{}", bad.body);
    let error = json_of(&bad)["error"].as_str().unwrap().to_owned();
    assert!(error.contains("age") && error.contains("number"), "{error}");
    assert!(!error.contains('\n'), "one sentence: {error}");

    // With the token: stored, and the CLI reads it back.
    let ok = send(
        base,
        "PATCH",
        &path,
        &json!({"values": {"occupation": "psychologist", "age": "41"}}),
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(
        cli_value(&ws, "CHI-1", "occupation").as_deref(),
        Some("psychologist")
    );
    assert_eq!(cli_value(&ws, "CHI-1", "age").as_deref(), Some("41"));
    // An empty value clears it.
    send(base, "PATCH", &path, &json!({"values": {"age": ""}}));
    assert_eq!(cli_value(&ws, "CHI-1", "age"), None);
}

#[test]
fn a_roster_imports_whole_or_not_at_all_and_speaker_labels_map_to_participants() {
    let ws = demo();
    ws.write(
        "<b>hostile&co.txt",
        "INT : Bonjour, vous allez bien ?\nMme Durand : Je réponds <b>gras</b>.\n\
         INT : Merci.\nMme Durand : De rien.\n",
    );
    ws.run(&["import", "--project", "demo.vbt", "<b>hostile&co.txt"])
        .ok();
    let server = serve(&ws, "demo.vbt", "amira");
    let base = server.base.as_str();
    let count = || {
        json_of(&get(base, "/api/participants"))
            .as_array()
            .unwrap()
            .len()
    };
    let n = count();

    // One bad row: nothing imported, the row named.
    let bad = upload(
        base,
        "/api/participants/roster?name=roster.csv",
        "code,site,age\nCHI-7,CH,33\nCHI-8,CH,trente\n",
    );
    assert!(bad.status == 400 || bad.status == 409, "{}", bad.body);
    let error = json_of(&bad)["error"].as_str().unwrap().to_owned();
    assert!(
        error.contains("roster.csv") && error.contains("row"),
        "{error}"
    );
    assert_eq!(count(), n, "nothing was imported");
    let unknown = upload(base, "/api/participants/roster?name=roster.pdf", "x");
    assert_eq!(unknown.status, 400);
    assert!(
        json_of(&unknown)["error"]
            .as_str()
            .unwrap()
            .contains("roster.pdf")
    );

    let good = upload(
        base,
        "/api/participants/roster?name=roster.csv",
        "code,site,age\nCHI-7,CH,33\nCHI-8,CH,30\n",
    );
    assert_eq!(good.status, 200, "{}", good.body);
    assert_eq!(json_of(&good)["participants"], 2);
    assert_eq!(count(), n + 2);

    // The sources page shows the hostile transcript's name as text.
    let page = get(base, "/sources");
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("<b>hostile"), "the name is escaped");
    assert!(
        page.body.contains("&#60;b&#62;hostile&#38;co"),
        "the name shows as text"
    );

    // Map the hostile label to the new participant; the CLI sees it.
    let sources = json_of(&get(base, "/api/sources"));
    let hostile = sources
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str().unwrap().contains("hostile"))
        .unwrap();
    // 7 + 6 + 3 + 5 whitespace-separated words, labels included.
    assert_eq!(hostile["words"], 21);
    let source_id = hostile["id"].as_i64().unwrap();
    let label = "Mme Durand";
    let body = json!({"source_id": source_id, "label": label, "participant": "CHI-7"});
    let refused = http(
        base,
        "PUT",
        "/api/speakers",
        &[("Content-Type", "application/json")],
        &body.to_string(),
    );
    assert_eq!(refused.status, 403);
    let mapped = send(base, "PUT", "/api/speakers", &body);
    assert_eq!(mapped.status, 200, "{}", mapped.body);
    let rows = ws
        .run(&["speakers", "list", "--project", "demo.vbt", "--json"])
        .ok()
        .json();
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == label)
        .unwrap();
    assert_eq!(row["participant"], "CHI-7");
    assert_eq!(row["how"], "explicit");
}

#[test]
fn a_names_file_preview_changes_nothing_and_lists_each_replacement() {
    let ws = demo();
    let server = serve(&ws, "demo.vbt", "amira");
    let base = server.base.as_str();
    let review = json_of(&get(base, "/api/deidentify"));
    assert!(!review["candidates"].as_array().unwrap().is_empty());
    assert!(review["applied"].as_array().unwrap().is_empty());
    let names = "real,replacement\nHarbour Lane,[lieu]\n";
    let refused = http(
        base,
        "POST",
        "/api/deidentify/preview?name=names.csv",
        &[],
        names,
    );
    assert_eq!(refused.status, 403);
    let preview = upload(base, "/api/deidentify/preview?name=names.csv", names);
    assert_eq!(preview.status, 200, "{}", preview.body);
    let report = json_of(&preview);
    assert_eq!(report["dry_run"], true);
    let replacements = report["replacements"].as_array().unwrap();
    assert!(!replacements.is_empty());
    assert!(
        replacements
            .iter()
            .all(|r| r["found"] == "Harbour Lane" && r["replacement"] == "[lieu]")
    );
    let names_left = ws
        .run(&["sources", "--project", "demo.vbt", "--json"])
        .ok()
        .stdout;
    assert!(
        names_left.contains("Harbour Lane"),
        "the preview wrote nothing"
    );
    assert!(
        json_of(&get(base, "/api/deidentify"))["applied"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn queries_matrices_and_words_answer_as_the_cli_does() {
    let ws = demo();
    let server = serve(&ws, "demo.vbt", "amira");
    let base = server.base.as_str();

    let q = "Stigmatisation OR \"Policer les usagers\"";
    let cli = ws
        .run(&[
            "query",
            "--project",
            "demo.vbt",
            "--coder",
            "amira",
            q,
            "--json",
        ])
        .ok()
        .json();
    let path = format!("/api/query?q={}", q.replace(' ', "%20").replace('"', "%22"));
    let web = json_of(&get(base, &path));
    let spans = |list: &Value, start: &str, end: &str| -> Vec<(i64, i64, i64)> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["source_id"].as_i64().unwrap(),
                    p[start].as_i64().unwrap(),
                    p[end].as_i64().unwrap(),
                )
            })
            .collect()
    };
    assert!(!cli.as_array().unwrap().is_empty());
    assert_eq!(
        spans(&web["passages"], "start", "end"),
        spans(&cli, "start", "end")
    );
    let page = get(base, &path.replace("/api/query", "/search/query"));
    assert!(page.body.contains(&format!(
        "<strong>{}</strong> passages",
        cli.as_array().unwrap().len()
    )));
    let bad = get(base, "/api/query?q=Stigmatisation%20AND");
    assert_eq!(bad.status, 400);
    assert!(json_of(&bad)["error"].as_str().unwrap().contains("query"));

    let cli = ws
        .run(&[
            "matrix",
            "--project",
            "demo.vbt",
            "--coder",
            "amira",
            "--by",
            "site",
            "--json",
        ])
        .ok()
        .json();
    let web = json_of(&get(base, "/api/matrix?by=site"));
    assert_eq!(web["rows"], cli["rows"]);
    assert_eq!(web["columns"], cli["columns"]);
    let values: Vec<Vec<Value>> = cli["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|c| c["value"].clone())
                .collect()
        })
        .collect();
    assert_eq!(web["cells"], json!(values));
    // Cell (0, 1): its passages and participants, as `--drill 1,2`.
    let drill = ws
        .run(&[
            "matrix",
            "--project",
            "demo.vbt",
            "--coder",
            "amira",
            "--by",
            "site",
            "--drill",
            "1,2",
            "--json",
        ])
        .ok()
        .json();
    let cell = json_of(&get(base, "/api/matrix/cell?by=site&row=0&column=1"));
    assert_eq!(cell["participants"], drill["participants"]);
    assert_eq!(
        spans(&cell["passages"], "start", "end"),
        spans(&drill["passages"], "start", "end")
    );
    let outside = get(base, "/api/matrix/cell?by=site&row=99&column=0");
    assert_eq!(outside.status, 404);

    let cli = ws
        .run(&["words", "--project", "demo.vbt", "--top", "15", "--json"])
        .ok()
        .json();
    assert_eq!(json_of(&get(base, "/api/words?top=15")), cli);
}

#[test]
fn comparing_waits_for_reveal_then_aligns_and_records_decisions() {
    let ws = demo();
    let server = serve(&ws, "demo.vbt", "amira");
    let base = server.base.as_str();

    let blind = get(base, "/api/alignment?a=amira&b=bruno");
    assert_eq!(blind.status, 403, "{}", blind.body);
    assert!(
        json_of(&blind)["error"]
            .as_str()
            .unwrap()
            .contains("reveal")
    );
    let page = get(base, "/compare");
    assert!(page.body.contains("id=\"compare-blocked\""));
    assert!(!page.body.contains("id=\"tree-b\""), "no tree of bruno's");

    assert_eq!(
        http(base, "POST", "/api/reveal", &[], "").status,
        403,
        "reveal needs the token"
    );
    let revealed = send(base, "POST", "/api/reveal", &json!({}));
    assert_eq!(json_of(&revealed)["revealed"], true);

    let cli = ws
        .run(&[
            "align",
            "--project",
            "demo.vbt",
            "--coder",
            "amira",
            "--coders",
            "amira,bruno",
            "--json",
        ])
        .ok()
        .json();
    let web = json_of(&get(base, "/api/alignment?a=amira&b=bruno"));
    let pairs = |v: &Value, a: &str, b: &str| -> Vec<(i64, i64)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|p| (p[a].as_i64().unwrap(), p[b].as_i64().unwrap()))
            .collect()
    };
    let cli_pairs: Vec<(i64, i64)> = cli["matched"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["a"]["id"].as_i64().unwrap(),
                p["b"]["id"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(!cli_pairs.is_empty());
    assert_eq!(pairs(&web["matched"], "a", "b"), cli_pairs);

    // The first pair's disagreements, as the CLI lists them.
    let (a, b) = cli_pairs[0];
    let d = json_of(&get(
        base,
        &format!("/api/disagreements?a=amira&b=bruno&code_a={a}&code_b={b}"),
    ));
    let cli_d = ws
        .run(&[
            "disagreements",
            "--project",
            "demo.vbt",
            "--coder",
            "amira",
            "--coders",
            "amira,bruno",
            "--code",
            &a.to_string(),
            "--code-b",
            &b.to_string(),
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(d["agreed_chars"], cli_d["agreed_chars"]);
    let total = d["only_a"].as_array().unwrap().len() + d["only_b"].as_array().unwrap().len();
    assert_eq!(total, cli_d["passages"].as_array().unwrap().len());

    // Merge the pair, then reject one of its passages, with notes.
    let merged = send(
        base,
        "POST",
        "/api/decisions",
        &json!({"kind": "merge", "code_a": a, "code_b": b, "name": "Stigmate <vécu>", "note": "même idée"}),
    );
    assert_eq!(merged.status, 200, "{}", merged.body);
    let passage = d["only_a"]
        .as_array()
        .unwrap()
        .first()
        .or_else(|| d["only_b"].as_array().unwrap().first())
        .unwrap()
        .clone();
    let rejected = send(
        base,
        "POST",
        "/api/decisions",
        &json!({"kind": "passage", "verdict": "reject", "source_id": passage["source_id"],
                "start": passage["start"], "end": passage["end"], "origins": [a, b], "note": "hors sujet"}),
    );
    assert_eq!(rejected.status, 200, "{}", rejected.body);
    let decisions = ws
        .run(&[
            "reconcile",
            "--project",
            "demo.vbt",
            "--coder",
            "amira",
            "list",
            "--json",
        ])
        .ok()
        .json();
    let decisions = decisions.as_array().unwrap();
    assert_eq!(decisions.len(), 2);
    assert_eq!(decisions[0]["shared_name"], "Stigmate <vécu>");
    assert_eq!(decisions[1]["note"], "hors sujet");
    let page = get(base, "/compare?a=amira&b=bruno&pair_no=1");
    assert!(
        page.body.contains("Stigmate &#60;vécu&#62;")
            || page.body.contains("Stigmate &lt;vécu&gt;")
    );
    assert!(page.body.contains("id=\"disagreements\""));
    // An accepted passage needs the shared code: refused with a sentence.
    let no_shared = send(
        base,
        "POST",
        "/api/decisions",
        &json!({"kind": "passage", "verdict": "accept", "source_id": passage["source_id"],
                "start": passage["start"], "end": passage["end"]}),
    );
    assert_eq!(no_shared.status, 409, "{}", no_shared.body);
}

#[test]
fn a_sealed_preconception_shows_its_hash_and_the_journal_still_verifies() {
    let ws = demo();
    let server = serve(&ws, "demo.vbt", "amira");
    let base = server.base.as_str();
    let written = send(
        base,
        "POST",
        "/api/journal",
        &json!({"kind": "preconception", "title": "<i>Attente</i>", "body": "Je pense que la confiance précède tout."}),
    );
    assert_eq!(written.status, 200, "{}", written.body);
    let id = json_of(&written)["id"].as_i64().unwrap();
    let refused = http(base, "POST", &format!("/api/journal/{id}/seal"), &[], "");
    assert_eq!(refused.status, 403);
    let sealed = json_of(&send(
        base,
        "POST",
        &format!("/api/journal/{id}/seal"),
        &json!({}),
    ));
    let hash = sealed["hash"].as_str().unwrap().to_owned();
    assert_eq!(hash.len(), 64);
    let again = send(base, "POST", &format!("/api/journal/{id}/seal"), &json!({}));
    assert_eq!(again.status, 409);
    assert!(
        json_of(&again)["error"]
            .as_str()
            .unwrap()
            .contains("already sealed")
    );

    let listed = ws
        .run(&[
            "journal",
            "list",
            "--project",
            "demo.vbt",
            "--coder",
            "amira",
            "--json",
        ])
        .ok()
        .json();
    let entry = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id)
        .unwrap();
    assert_eq!(entry["content_hash"], hash.as_str());
    ws.run(&["journal", "verify", "--project", "demo.vbt"]).ok();

    let page = get(base, "/journal");
    assert!(page.body.contains(&hash), "the page shows the seal");
    assert!(
        !page.body.contains("<i>Attente</i>"),
        "the title is escaped"
    );

    // Link the entry to a theme; memos are edited in place.
    let codes = json_of(&get(base, "/api/codes/visible"));
    let code = codes[0]["id"].as_i64().unwrap();
    let linked = json_of(&send(
        base,
        "POST",
        &format!("/api/journal/{id}/links"),
        &json!({"code_id": code, "relation": "expected"}),
    ));
    assert_eq!(linked["links"][0]["relation"], "expected");
    let memo = json_of(&send(
        base,
        "POST",
        "/api/memos",
        &json!({"target_kind": "code", "target_id": code, "body": "Première idée"}),
    ));
    let memo_id = memo["id"].as_i64().unwrap();
    let edited = json_of(&send(
        base,
        "PATCH",
        &format!("/api/memos/{memo_id}"),
        &json!({"body": "Idée reprise"}),
    ));
    assert_eq!(edited["body"], "Idée reprise");
    let memos = ws
        .run(&[
            "memo",
            "list",
            "--project",
            "demo.vbt",
            "--coder",
            "amira",
            "--json",
        ])
        .ok()
        .json();
    assert!(
        memos
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == memo_id && m["body"] == "Idée reprise")
    );
}

#[test]
fn the_openapi_document_is_served() {
    let ws = demo();
    let server = serve(&ws, "demo.vbt", "amira");
    let reply = get(&server.base, "/api/openapi.json");
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/json"))
    );
    let doc = json_of(&reply);
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/matrix/cell"]["get"].is_object());
    assert!(doc["paths"]["/api/codings"]["post"].is_object());
    assert_eq!(
        doc["paths"]["/api/reveal"]["post"]["x-required-role"],
        "owner"
    );
    assert_eq!(
        doc["paths"]["/api/codes"]["get"]["x-required-role"],
        "viewer"
    );
}

/// Pages of `/api/search?q=confiance&context=40` from `offset`, `limit` at a time.
fn search_page(base: &str, offset: usize, limit: usize) -> Value {
    let reply = get(
        base,
        &format!("/api/search?q=confiance&context=40&offset={offset}&limit={limit}"),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    json_of(&reply)
}

#[test]
fn search_pages_cover_the_cli_hits_once_and_see_an_edit_made_meanwhile() {
    let ws = demo();
    let server = serve(&ws, "demo.vbt", "amira");
    let base = server.base.as_str();
    let cli = |ws: &Workspace| {
        ws.run(&["search", "--project", "demo.vbt", "--json", "confiance"])
            .ok()
            .json()
            .as_array()
            .unwrap()
            .clone()
    };
    let all = cli(&ws);
    assert!(all.len() > 5, "{}", all.len());
    let mut walked = Vec::new();
    let mut offset = 0;
    while offset < all.len() {
        let page = search_page(base, offset, 5);
        assert_eq!(page["total"], all.len());
        assert_eq!(page["offset"], offset);
        walked.extend(page["hits"].as_array().unwrap().clone());
        offset += 5;
    }
    assert_eq!(walked, all);
    // The search page shows the first 50 and says how many in all.
    let html = get(base, "/search?q=confiance").body;
    assert!(
        html.contains(&format!("<strong>{}</strong> hits", all.len())),
        "{html}"
    );
    // The sources' word counts, which the server keeps once counted.
    let words_of_8 = || {
        let rows = json_of(&get(base, "/api/sources"));
        let row = rows
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == 8)
            .cloned();
        row.unwrap()["words"].as_u64().unwrap()
    };
    let words_before = words_of_8();
    // Another process edits one occurrence away; the server's next search,
    // with its index kept open, sees it, and so do the word counts.
    ws.run_env(
        &[
            "source",
            "edit",
            "--project",
            "demo.vbt",
            "8",
            "--find",
            "abîme la confiance",
            "--text",
            "abîme le lien tissé",
        ],
        &[("VERBATIM_CODER", "amira")],
    )
    .ok();
    let after = search_page(base, 0, 100);
    assert_eq!(after["total"], all.len() - 1);
    assert_eq!(after["hits"].as_array().unwrap().len(), all.len() - 1);
    // "abîme la confiance" (3 words) became "abîme le lien tissé" (4).
    assert_eq!(words_of_8(), words_before + 1);
}
