//! The participants, matrix, compare and journal pages in headless
//! Chromium against the real `verbatim serve` on the demo study, one
//! browser session for the whole module: edit an attribute in place and
//! see it stored, click a matrix cell and read its passages, reveal and
//! reconcile on the compare page, write and seal a preconception.
//!
//! Without `chromium` and `chromedriver` the test prints a notice and
//! passes, unless `VERBATIM_REQUIRE_BROWSER=1` (CI). `VERBATIM_SCREENSHOTS`
//! writes the pages' screenshots, as in `browser`.

use fantoccini::{Client, Locator};
use serde_json::json;

use crate::browser::{browser, browser_programs, click, eval, reader_ready, serve, shot, until};
use crate::common::Workspace;
use crate::web_pages::cli_value;

/// Accepts the page's confirmation dialogs (reveal, seal) without a
/// dialog, as a user clicking OK would.
async fn confirm_all(c: &Client) {
    eval(c, "window.confirm = () => true; return true;").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn participants_matrix_compare_and_journal_in_the_browser() {
    let Some((chromium, chromedriver)) = browser_programs() else {
        return;
    };
    let ws = Workspace::empty();
    ws.run(&["demo", "--project", "demo.vbt", "--blind"]).ok();
    let server = serve(&ws, "demo.vbt", "amira");
    let base = server.base.clone();
    let b = browser(&chromium, &chromedriver, 1400, 900).await;
    let c = &b.client;

    // Participants: click a cell, type, Enter; the study has it.
    c.goto(&format!("{base}/participants")).await.unwrap();
    shot(c, "participants").await;
    let cell = c
        .find(Locator::Css(
            "#participants tr:nth-child(3) td[data-attribute='occupation']",
        ))
        .await
        .unwrap();
    let code = eval(
        c,
        "return document.querySelector('#participants tr:nth-child(3) th').textContent.trim()",
    )
    .await;
    let code = code.as_str().unwrap().to_owned();
    assert_ne!(
        cli_value(&ws, &code, "occupation").as_deref(),
        Some("physician")
    );
    cell.click().await.unwrap();
    // The editor opens from the page's script; on a loaded machine it can
    // lag the click by a moment.
    until(
        c,
        "the cell's editor",
        "return !!document.querySelector(\"#participants td[data-attribute='occupation'] input\");",
    )
    .await;
    let input = c
        .find(Locator::Css(
            "#participants td[data-attribute='occupation'] input",
        ))
        .await
        .unwrap();
    // The editor selects the old value, so typing replaces it.
    input.send_keys("physician\u{E007}").await.unwrap();
    until(c, "the saved cell", "const td = document.querySelector('#participants tr:nth-child(3) td[data-attribute=\"occupation\"]'); return !!td && !td.querySelector('input') && td.textContent === 'physician' && !td.classList.contains('saving');").await;
    assert_eq!(
        cli_value(&ws, &code, "occupation").as_deref(),
        Some("physician")
    );
    // A refused value: the cell goes back and the toast says why.
    click(c, "#participants tr:nth-child(3) td[data-attribute='age']").await;
    let input = c
        .find(Locator::Css("#participants td[data-attribute='age'] input"))
        .await
        .unwrap();
    let age = cli_value(&ws, &code, "age");
    input.send_keys("très vieux\u{E007}").await.unwrap();
    until(c, "the refusal", "const t = document.getElementById('toast'); return !t.hidden && t.textContent.includes('age');").await;
    let shown = eval(c, "return document.querySelector('#participants tr:nth-child(3) td[data-attribute=\"age\"]').textContent").await;
    assert_eq!(
        shown.as_str(),
        age.as_deref(),
        "the cell shows the stored value again"
    );
    c.refresh().await.unwrap();
    let after = eval(c, "return document.querySelector('#participants tr:nth-child(3) td[data-attribute=\"occupation\"]').textContent").await;
    assert_eq!(after, json!("physician"), "persisted across a reload");

    // Matrix: click a cell, read its passages, follow one to the reader.
    c.goto(&format!("{base}/search/matrix?by=site&level=theme"))
        .await
        .unwrap();
    let button = c
        .find(Locator::Css(
            "#matrix button.cell[data-row='0'][data-column='1']",
        ))
        .await
        .unwrap();
    let count: usize = button.text().await.unwrap().parse().unwrap();
    button.click().await.unwrap();
    until(c, "the cell's passages", "return !document.getElementById('cell-panel').hidden && document.querySelectorAll('#cell-passages li').length > 0").await;
    let heard = eval(c, "return document.getElementById('cell-who').textContent.replace('Heard: ', '').split(', ').length").await;
    assert_eq!(
        heard,
        json!(count),
        "the cell counts the participants listed"
    );
    shot(c, "matrix").await;
    click(c, "#cell-passages li a.src").await;
    reader_ready(c).await;
    until(
        c,
        "the outlined passage",
        "return document.querySelector('#doc .flash') !== null",
    )
    .await;

    // Compare: blind first, then revealed; merge a pair, reject a passage.
    c.goto(&format!("{base}/compare")).await.unwrap();
    c.find(Locator::Id("compare-blocked")).await.unwrap();
    confirm_all(c).await;
    click(c, "#reveal").await;
    until(
        c,
        "the aligned trees",
        "return document.querySelectorAll('#tree-b li').length > 0",
    )
    .await;
    c.goto(&format!("{base}/compare?a=amira&b=bruno&pair_no=1"))
        .await
        .unwrap();
    let row = c.find(Locator::Css("#pairs tr.selected")).await.unwrap();
    row.find(Locator::Css("input.name"))
        .await
        .unwrap()
        .send_keys("Stigmate partagé")
        .await
        .unwrap();
    row.find(Locator::Css("input.note"))
        .await
        .unwrap()
        .send_keys("même idée, deux noms")
        .await
        .unwrap();
    row.find(Locator::Css("button.merge"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(c, "the merge decision", "return [...document.querySelectorAll('#decisions td')].some((td) => td.textContent === 'Stigmate partagé')").await;
    let sides = eval(c, "return [document.querySelectorAll('#disagreements .side.a').length, document.querySelectorAll('#disagreements .side.b').length]").await;
    assert!(
        sides[0].as_u64().unwrap() + sides[1].as_u64().unwrap() > 0,
        "{sides}"
    );
    eval(
        c,
        "document.getElementById('disagreements-title').scrollIntoView(); return true;",
    )
    .await;
    shot(c, "compare").await;
    let accept = c
        .find(Locator::Css("#disagreements .side button.accept"))
        .await
        .unwrap();
    assert!(
        accept.is_enabled().await.unwrap(),
        "the merged pair has a shared code"
    );
    accept.click().await.unwrap();
    until(c, "the passage decision", "return [...document.querySelectorAll('#decisions td')].some((td) => td.textContent.includes('coded in the shared layer'))").await;
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
    let kinds: Vec<&str> = decisions
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["merge", "passage_accept"]);

    // Journal: write a preconception, seal it, see its hash.
    c.goto(&format!("{base}/journal")).await.unwrap();
    let form = c.find(Locator::Id("entry-form")).await.unwrap();
    form.find(Locator::Css(
        "select[name=kind] option[value=preconception]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    form.find(Locator::Css("input[name=title]"))
        .await
        .unwrap()
        .send_keys("Ce que j'attends du terrain")
        .await
        .unwrap();
    form.find(Locator::Css("textarea[name=body]"))
        .await
        .unwrap()
        .send_keys("Les soignants parleront d'abord de sécurité.")
        .await
        .unwrap();
    form.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(c, "the new entry", "const e = document.querySelector('#entries .journal-entry'); return e !== null && e.querySelector('h3').textContent.includes('Ce que j')").await;
    confirm_all(c).await;
    click(c, "#entries .journal-entry:first-child button.seal-button").await;
    until(c, "the seal", "const e = document.querySelector('#entries .journal-entry'); return e.classList.contains('sealed') && e.querySelector('.seal') !== null;").await;
    let shown_hash = eval(
        c,
        "return document.querySelector('#entries .journal-entry .seal').textContent",
    )
    .await;
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
    let stored = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["title"] == "Ce que j'attends du terrain")
        .map(|e| e["content_hash"].clone())
        .unwrap();
    assert_eq!(shown_hash, stored);
    shot(c, "journal").await;

    b.client.clone().close().await.unwrap();
}
