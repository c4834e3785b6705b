//! The reader without a mouse and the interface in French, in headless
//! Chromium against the real `verbatim serve`: a passage coded with the
//! keyboard alone (Tab to the transcript, the caret moved by sentence and
//! word, the selection extended, the picker opened and a code typed), read
//! back with the CLI's `coding list --json`; a highlight reached with Tab
//! and opened with Enter; the header's switch to French; and over HTTP,
//! the language from `Accept-Language` and the cookie, and the switch
//! never sending the browser to another site.
//!
//! Skipped with a notice without chromium and chromedriver (see
//! [`crate::browser::browser_programs`]).

use fantoccini::Client;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::{Value, json};

use crate::browser::{Reply, browser, browser_programs, eval, http, reader_ready, serve, until};
use crate::common::Workspace;

/// Our interview: the caret's stops are worked out from it by hand below.
const NIGHTS: &str = "INT : Comment se passent vos nuits à l'hôpital ?\n\
P1 : Les nuits sont longues. On attend le matin avec patience, et on se parle beaucoup. Le silence fait peur.\n";

/// Returns a workspace with the interview imported and coder amira.
fn study() -> Workspace {
    let ws = Workspace::with_study();
    ws.write("nuits.txt", NIGHTS);
    ws.import(&["nuits.txt"]).ok();
    ws.run(&["coder", "add", "amira", "--project", "study.vbt"])
        .ok();
    ws
}

/// Presses `keys` one after the other on whatever has the focus, holding
/// Shift when `shift`, as a person types.
async fn press(c: &Client, keys: &str, shift: bool) {
    let mut actions = KeyActions::new("keyboard".into());
    for k in keys.chars() {
        if shift {
            actions = actions.then(KeyAction::Down {
                value: Key::Shift.into(),
            });
        }
        actions = actions
            .then(KeyAction::Down { value: k })
            .then(KeyAction::Up { value: k });
        if shift {
            actions = actions.then(KeyAction::Up {
                value: Key::Shift.into(),
            });
        }
    }
    c.perform_actions(actions).await.unwrap();
}

/// Presses Tab until the focus is on what `script` recognises (at most 40
/// times: the header's links come first).
async fn tab_to(c: &Client, what: &str, script: &str) {
    for _ in 0..40 {
        if eval(c, script).await == json!(true) {
            return;
        }
        press(c, "\u{E004}", false).await;
    }
    panic!("Tab never reached {what}");
}

fn codings(ws: &Workspace) -> Vec<(String, String)> {
    let listed: Value = ws
        .run_env(
            &["coding", "list", "--json", "--project", "study.vbt"],
            &[("VERBATIM_CODER", "amira")],
        )
        .ok()
        .json();
    let mut pairs: Vec<(String, String)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["code"].as_str().unwrap().to_owned(),
                c["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    pairs.sort();
    pairs
}

/// Waits until the study holds `n` codings.
async fn until_codings(ws: &Workspace, n: usize) -> Vec<(String, String)> {
    for _ in 0..100 {
        let now = codings(ws);
        if now.len() == n {
            return now;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the study never held {n} codings: {:?}", codings(ws));
}

const DOC_FOCUSED: &str = "return document.activeElement?.id === 'doc'";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_passage_is_coded_with_the_keyboard_alone() {
    let Some((chromium, chromedriver)) = browser_programs() else {
        return;
    };
    let ws = study();
    let server = serve(&ws, "study.vbt", "amira");
    let b = browser(&chromium, &chromedriver, 1280, 900).await;
    let c = &b.client;
    c.goto(&format!("{}/sources/1", server.base)).await.unwrap();
    reader_ready(c).await;
    // No mouse from here on.
    tab_to(c, "the transcript", DOC_FOCUSED).await;
    assert_eq!(
        eval(c, "return !document.querySelector('#doc .caret').hidden").await,
        json!(true),
        "the caret shows"
    );

    // The caret starts at "Comment" (the first turn). Sentences start at
    // "Comment", "Les nuits…", "On attend…", "Le silence…": `)` twice
    // lands on "On". Shift+W six times extends to the end of "On",
    // "attend", "le", "matin", "avec", "patience".
    press(c, "))", false).await;
    press(c, "WWWWWW", true).await;
    assert_eq!(
        eval(c, "return window.getSelection().toString()").await,
        json!("On attend le matin avec patience")
    );
    press(c, "c", false).await;
    until(
        c,
        "the code picker",
        "return !document.getElementById('picker').hidden && document.activeElement?.id === 'picker-input'",
    )
    .await;
    press(c, "Patience", false).await;
    until(
        c,
        "the new-code choice",
        "return document.querySelector('#picker-list li.create.active') !== null",
    )
    .await;
    press(c, "\u{E007}", false).await;
    let stored = until_codings(&ws, 1).await;
    assert_eq!(
        stored,
        vec![(
            "Patience".to_owned(),
            "On attend le matin avec patience".to_owned()
        )]
    );

    // The focus came back to the transcript. `)` goes to the next
    // sentence, "Le silence…"; `v` starts a selection; `)` now extends to
    // that sentence's end, its full stop included; Enter opens the picker.
    until(c, "the focus back on the transcript", DOC_FOCUSED).await;
    press(c, ")v)", false).await;
    assert_eq!(
        eval(c, "return window.getSelection().toString()").await,
        json!("Le silence fait peur.")
    );
    press(c, "\u{E007}", false).await;
    until(
        c,
        "the code picker",
        "return document.activeElement?.id === 'picker-input'",
    )
    .await;
    press(c, "Peur\u{E007}", false).await;
    let stored = until_codings(&ws, 2).await;
    assert_eq!(
        stored,
        vec![
            (
                "Patience".to_owned(),
                "On attend le matin avec patience".to_owned()
            ),
            ("Peur".to_owned(), "Le silence fait peur.".to_owned()),
        ]
    );

    // `b` goes back a word: from the end of "peur." to "peur", then
    // "fait"; Shift+B extends back to "silence".
    until(c, "the focus back on the transcript", DOC_FOCUSED).await;
    press(c, "bb", false).await;
    press(c, "B", true).await;
    assert_eq!(
        eval(c, "return window.getSelection().toString()").await,
        json!("silence ")
    );

    // Tab from the transcript reaches the first highlight, with a visible
    // outline; Enter opens its coding in the panel.
    tab_to(
        c,
        "a highlight",
        "return document.activeElement?.matches('#doc mark.hl') === true",
    )
    .await;
    let outline = eval(
        c,
        "return getComputedStyle(document.activeElement).outlineStyle",
    )
    .await;
    assert_eq!(outline, json!("solid"));
    press(c, "\u{E007}", false).await;
    until(
        c,
        "the coding panel",
        "return !document.getElementById('detail').hidden && document.querySelector('#detail h2')?.textContent === 'Patience'",
    )
    .await;

    // The legend entries are reachable too; Enter on "Peur" opens it.
    tab_to(
        c,
        "the legend's Peur",
        "return document.activeElement?.closest('#legend-list li')?.querySelector('.name')?.textContent === 'Peur'",
    )
    .await;
    press(c, "\u{E007}", false).await;
    until(
        c,
        "the panel on Peur",
        "return document.querySelector('#detail h2')?.textContent === 'Peur'",
    )
    .await;
    b.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_header_switches_the_interface_to_french() {
    let Some((chromium, chromedriver)) = browser_programs() else {
        return;
    };
    let ws = study();
    let server = serve(&ws, "study.vbt", "amira");
    let b = browser(&chromium, &chromedriver, 1280, 900).await;
    let c = &b.client;
    c.goto(&format!("{}/sources/1", server.base)).await.unwrap();
    let nav =
        "return [...document.querySelectorAll('nav.main a')].map((a) => a.textContent).join(',')";
    assert_eq!(
        eval(c, nav).await,
        json!("Home,Sources,Participants,Codes,Search,Compare,Journal,Reports")
    );
    assert_eq!(
        eval(c, "return document.documentElement.lang").await,
        json!("en")
    );

    c.find(fantoccini::Locator::Css(".lang-switch a[hreflang='fr']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        c,
        "the page in French",
        "return document.documentElement.lang === 'fr'",
    )
    .await;
    assert_eq!(
        c.current_url().await.unwrap().path(),
        "/sources/1",
        "back on the same page"
    );
    assert_eq!(
        eval(c, nav).await,
        json!("Accueil,Sources,Participants,Codes,Recherche,Comparer,Journal,Rapports")
    );
    assert_eq!(
        eval(c, "return document.querySelector('#legend h2').textContent").await,
        json!("Codes de cette source")
    );
    assert_eq!(
        eval(
            c,
            "return document.querySelector('label[for=coder-select]').textContent"
        )
        .await,
        json!("Codeur")
    );
    // The scripts speak French too: the empty legend, and a toast.
    until(
        c,
        "the legend's French hint",
        "return document.querySelector('#legend-list li.muted')?.textContent === \"Aucun codage pour l'instant : sélectionnez un passage pour le coder.\"",
    )
    .await;
    tab_to(c, "the transcript", DOC_FOCUSED).await;
    press(c, "c", false).await;
    until(
        c,
        "the French toast",
        "return document.getElementById('toast').textContent.startsWith('Rien de sélectionné')",
    )
    .await;
    // The study's own words are not translated.
    assert_eq!(
        eval(c, "return document.querySelector('#doc .txt').textContent").await,
        json!("Comment se passent vos nuits à l'hôpital ?")
    );
    b.client.clone().close().await.unwrap();
}

fn cookies(reply: &Reply) -> Vec<&str> {
    reply
        .headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .map(|(_, v)| v.as_str())
        .collect()
}

#[test]
fn the_language_comes_from_the_cookie_then_the_browser_and_the_switch_stays_home() {
    let ws = study();
    let server = serve(&ws, "study.vbt", "amira");
    let base = &server.base;
    let lang_of = |headers: &[(&str, &str)]| {
        let page = http(base, "GET", "/codes", headers, "");
        assert_eq!(page.status, 200);
        let at = page.body.find("<html lang=\"").unwrap() + 12;
        page.body[at..at + 2].to_owned()
    };
    assert_eq!(lang_of(&[]), "en");
    assert_eq!(
        lang_of(&[("Accept-Language", "fr-FR,fr;q=0.9,en;q=0.5")]),
        "fr"
    );
    assert_eq!(
        lang_of(&[
            ("Accept-Language", "fr-FR,fr;q=0.9"),
            ("Cookie", "vb_lang=en")
        ]),
        "en"
    );
    let french = http(base, "GET", "/journal", &[("Cookie", "vb_lang=fr")], "");
    assert!(french.body.contains(">Accueil</a>"), "the nav in French");
    assert!(
        french.body.contains("<title>Journal et mémos · "),
        "the title in French"
    );

    // The switch sets the cookie and goes back to a path of this site.
    let switch = http(base, "GET", "/lang/fr?back=/sources/1", &[], "");
    assert_eq!(switch.status, 303);
    assert_eq!(switch.header("location"), Some("/sources/1"));
    assert!(
        cookies(&switch)
            .iter()
            .any(|c| c.starts_with("vb_lang=fr;")),
        "{:?}",
        cookies(&switch)
    );
    for away in [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
    ] {
        let escaped = away
            .replace('/', "%2F")
            .replace('\\', "%5C")
            .replace(':', "%3A");
        let path = format!("/lang/en?back={escaped}");
        let reply = http(base, "GET", &path, &[], "");
        assert_eq!(reply.header("location"), Some("/"), "{away}");
    }
    // An unknown language changes nothing.
    let klingon = http(base, "GET", "/lang/tlh?back=/codes", &[], "");
    assert_eq!(klingon.header("location"), Some("/codes"));
    assert!(!cookies(&klingon).iter().any(|c| c.starts_with("vb_lang")));
}
