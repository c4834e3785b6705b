//! The consensus layer and blind layers through the binary: merges of
//! three coders' codes carry the union of their passages, passage verdicts
//! land in the consensus layer, solo is the study's, names are never
//! resolved silently. Every span below is worked out by hand.

use crate::common::{Run, Workspace};

/// One line of 120 characters, written by us: positions are counted on it.
const TEXT: &str = "Au debut on se mefie, puis la confiance vient avec le temps, quand l'equipe tient parole et que les regles restent claires.\n";

/// Runs `verbatim ARGS --project study.vbt --coder CODER`.
fn as_coder(ws: &Workspace, coder: &str, args: &[&str]) -> Run {
    let mut all = vec![args[0], "--project", "study.vbt", "--coder", coder];
    all.extend_from_slice(&args[1..]);
    ws.run(&all)
}

fn coding(ws: &Workspace, coder: &str, code: &str, start: u64, end: u64) {
    let (s, e) = (start.to_string(), end.to_string());
    as_coder(
        ws,
        coder,
        &[
            "coding",
            "add",
            "--source",
            "entretien",
            "--code",
            code,
            "--start",
            &s,
            "--end",
            &e,
        ],
    )
    .ok();
}

/// A study with one interview and the coders named, each with no code yet.
fn study(coders: &[&str]) -> Workspace {
    let ws = Workspace::with_study();
    ws.write("entretien.txt", TEXT);
    ws.import(&["entretien.txt"]).ok();
    for c in coders {
        ws.run(&["coder", "add", "--project", "study.vbt", c]).ok();
    }
    ws
}

/// The three coders' work: amira [10,20) and bruno [15,30) with a code
/// named "Confiance"; carol [40,45) with an idea below her theme "Doute".
fn three_coders() -> Workspace {
    let ws = study(&["amira", "bruno", "carol"]);
    for c in ["amira", "bruno"] {
        as_coder(&ws, c, &["code", "add", "Confiance", "--level", "theme"]).ok();
    }
    as_coder(&ws, "carol", &["code", "add", "Doute", "--level", "theme"]).ok();
    as_coder(
        &ws,
        "carol",
        &["code", "add", "Retour", "--parent", "Doute"],
    )
    .ok();
    coding(&ws, "amira", "Confiance", 10, 20);
    coding(&ws, "bruno", "Confiance", 15, 30);
    coding(&ws, "carol", "Retour", 40, 45);
    ws
}

/// The consensus passages of a shared code: `(start, end, contributors)`.
fn consensus_passages(ws: &Workspace, code: &str) -> Vec<(u64, u64, Vec<String>)> {
    // carol has no code of these names, so the name means the shared one.
    let listed = as_coder(
        ws,
        "carol",
        &["coding", "list", "--code", code, "--all", "--json"],
    )
    .ok()
    .json();
    listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert_eq!(c["coder"], "consensus", "{c}");
            let from = c["contributors"].as_array().cloned().unwrap_or_default();
            (
                c["start"].as_u64().unwrap(),
                c["end"].as_u64().unwrap(),
                from.iter()
                    .map(|n| n.as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

/// Returns the id of `coder`'s own code `name`, from `code tree --json`.
fn own_code_id(ws: &Workspace, coder: &str, name: &str) -> String {
    let tree = as_coder(ws, coder, &["code", "tree", "--json"]).ok().json();
    tree.as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name && !c["owner"].is_null())
        .map(|c| c["id"].to_string())
        .unwrap()
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn a_merge_of_three_coders_codes_carries_the_union_of_their_passages() {
    let ws = three_coders();
    let revealed = as_coder(&ws, "amira", &["reveal"]).ok();
    assert!(
        revealed.stdout.contains("Revealed by amira"),
        "{}",
        revealed.stdout
    );
    let merged = as_coder(
        &ws,
        "amira",
        &[
            "reconcile",
            "merge",
            "--code",
            "amira:Confiance",
            "--code",
            "bruno:Confiance",
            "--code",
            "carol:Doute",
            "--name",
            "Trust",
            "--note",
            "one theme, three names",
        ],
    )
    .ok();
    assert!(
        merged.stdout.contains("\"Doute\" (carol)"),
        "{}",
        merged.stdout
    );
    assert!(
        merged.stdout.contains("now holds 2 passages"),
        "{}",
        merged.stdout
    );
    // By hand: [10,20) ∪ [15,30) = [10,30) from amira and bruno; carol's
    // idea [40,45) rolls up into her theme and stands alone.
    assert_eq!(
        consensus_passages(&ws, "Trust"),
        [
            (10, 30, names(&["amira", "bruno"])),
            (40, 45, names(&["carol"])),
        ]
    );
    // The shared tree counts the two consensus passages, in one source.
    let tree = as_coder(&ws, "bruno", &["code", "tree", "--shared", "--json"])
        .ok()
        .json();
    assert_eq!(tree[0]["name"], "Trust");
    assert_eq!(tree[0]["codings"], 2);
    assert_eq!(tree[0]["sources"], 1);
    // The decision is listed with its three origins, and one undo removes
    // the consensus code and its passages.
    let list = as_coder(&ws, "amira", &["reconcile", "list", "--json"])
        .ok()
        .json();
    assert_eq!(list[0]["origins"].as_array().unwrap().len(), 3);
    as_coder(&ws, "amira", &["undo"]).ok();
    let tree = as_coder(&ws, "bruno", &["code", "tree", "--shared", "--json"])
        .ok()
        .json();
    assert!(tree.as_array().unwrap().is_empty());
    let gone = as_coder(
        &ws,
        "amira",
        &["coding", "list", "--by", "consensus", "--json"],
    )
    .ok()
    .json();
    assert!(gone.as_array().unwrap().is_empty());
}

#[test]
fn a_third_coder_joins_with_into_and_passage_verdicts_land_in_the_consensus() {
    let ws = three_coders();
    as_coder(&ws, "carol", &["reveal"]).ok();
    // The same name in two coders' codebooks.
    as_coder(
        &ws,
        "bruno",
        &[
            "reconcile",
            "merge",
            "--coders",
            "amira,bruno",
            "--code",
            "Confiance",
        ],
    )
    .ok();
    as_coder(
        &ws,
        "bruno",
        &[
            "reconcile",
            "merge",
            "--into",
            "Confiance",
            "--code",
            "carol:Doute",
        ],
    )
    .ok();
    assert_eq!(
        consensus_passages(&ws, "Confiance"),
        [
            (10, 30, names(&["amira", "bruno"])),
            (40, 45, names(&["carol"])),
        ]
    );
    // amira codes [25,35) too; the team accepts it. It overlaps the
    // consensus [10,30), so the two join: [10,35), still amira and bruno
    // (bruno's [15,30) overlaps it as well).
    // "Confiance" now names amira's code and the consensus code: she
    // codes with her own by its id.
    let own = own_code_id(&ws, "amira", "Confiance");
    coding(&ws, "amira", &own, 25, 35);
    as_coder(
        &ws,
        "bruno",
        &[
            "reconcile",
            "passage",
            "accept",
            "--source",
            "entretien",
            "--start",
            "25",
            "--end",
            "35",
            "--shared",
            "Confiance",
            "--coders",
            "amira,bruno",
            "--code",
            "Confiance",
            "--note",
            "agreed on re-reading",
        ],
    )
    .ok();
    assert_eq!(
        consensus_passages(&ws, "Confiance"),
        [
            (10, 35, names(&["amira", "bruno"])),
            (40, 45, names(&["carol"])),
        ]
    );
    // bruno decided, but his own layer holds only his one coding.
    let mine = as_coder(&ws, "bruno", &["coding", "list", "--json"])
        .ok()
        .json();
    assert_eq!(mine.as_array().unwrap().len(), 1);
    // A keep needs its note; with one, it is a divergence in the list.
    as_coder(&ws, "carol", &["code", "add", "Regles", "--level", "theme"]).ok();
    let no_note = as_coder(
        &ws,
        "bruno",
        &["reconcile", "keep", "--from", "carol", "--code", "Regles"],
    );
    assert_ne!(no_note.code, 0);
    as_coder(
        &ws,
        "bruno",
        &[
            "reconcile",
            "keep",
            "--from",
            "carol",
            "--code",
            "Regles",
            "--note",
            "carol's own angle on rules",
        ],
    )
    .ok();
    let list = as_coder(&ws, "bruno", &["reconcile", "list", "--json"])
        .ok()
        .json();
    let kinds: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["merge", "merge", "passage_accept", "keep"]);
    assert_eq!(list[3]["note"], "carol's own angle on rules");
}

#[test]
fn the_two_coder_form_still_merges() {
    let ws = three_coders();
    as_coder(&ws, "amira", &["reveal"]).ok();
    as_coder(
        &ws,
        "amira",
        &[
            "reconcile",
            "merge",
            "--coders",
            "amira,carol",
            "--code",
            "Confiance",
            "--code-b",
            "Doute",
            "--name",
            "Doute et confiance",
        ],
    )
    .ok();
    assert_eq!(
        consensus_passages(&ws, "Doute et confiance"),
        [(10, 20, names(&["amira"])), (40, 45, names(&["carol"]))]
    );
    // Two codes of one coder are refused, and nothing is written.
    as_coder(&ws, "amira", &["code", "add", "Autre", "--level", "theme"]).ok();
    let refused = as_coder(
        &ws,
        "amira",
        &[
            "reconcile",
            "merge",
            "--code",
            "amira:Confiance",
            "--code",
            "amira:Autre",
            "--name",
            "X",
        ],
    );
    assert_ne!(refused.code, 0);
    assert!(
        refused.stderr.contains("one code per coder"),
        "{}",
        refused.stderr
    );
    let tree = as_coder(&ws, "amira", &["code", "tree", "--shared", "--json"])
        .ok()
        .json();
    assert_eq!(tree.as_array().unwrap().len(), 1);
}

#[test]
fn solo_is_refused_before_reveal_in_a_two_coder_study_and_reveal_names_who() {
    let ws = study(&["amira", "bruno"]);
    for c in ["amira", "bruno"] {
        as_coder(&ws, c, &["code", "add", "Confiance"]).ok();
    }
    coding(&ws, "amira", "Confiance", 10, 20);
    coding(&ws, "bruno", "Confiance", 15, 30);
    let before = ws.dump();
    // A coder's --solo reads nothing of a colleague's blind layer.
    let peek = as_coder(
        &ws,
        "amira",
        &["coding", "list", "--all", "--solo", "--json"],
    );
    assert_ne!(peek.code, 0);
    assert!(
        peek.stderr.contains("verbatim study solo"),
        "{}",
        peek.stderr
    );
    // The study cannot be declared solo once both coded blind.
    let solo = as_coder(&ws, "amira", &["study", "solo"]);
    assert_ne!(solo.code, 0);
    assert!(solo.stderr.contains("amira and bruno"), "{}", solo.stderr);
    assert!(solo.stderr.contains("verbatim reveal"), "{}", solo.stderr);
    assert_eq!(ws.dump(), before, "a refused action changes nothing");
    // Reveal records who; a second reveal says who did it.
    let first = as_coder(&ws, "bruno", &["reveal"]).ok();
    assert!(
        first.stdout.contains("Revealed by bruno"),
        "{}",
        first.stdout
    );
    let again = as_coder(&ws, "amira", &["reveal"]).ok();
    assert!(
        again.stdout.contains("already revealed by bruno"),
        "{}",
        again.stdout
    );
    let status = as_coder(&ws, "amira", &["study", "status"]).ok();
    assert!(
        status.stdout.contains("Revealed by bruno"),
        "{}",
        status.stdout
    );
    let log = ws.run(&["log", "--project", "study.vbt"]).ok();
    assert!(log.stdout.contains("study.reveal"), "{}", log.stdout);
    // Now --solo is harmless and --all sees both layers.
    let all = as_coder(
        &ws,
        "amira",
        &["coding", "list", "--all", "--solo", "--json"],
    )
    .ok()
    .json();
    assert_eq!(all.as_array().unwrap().len(), 2);
}

#[test]
fn a_study_declared_solo_before_coding_opens_every_name() {
    let ws = study(&["amira", "bruno"]);
    as_coder(&ws, "amira", &["study", "solo"]).ok();
    let status = as_coder(&ws, "bruno", &["study", "status"]).ok();
    assert!(
        status.stdout.contains("declared by amira"),
        "{}",
        status.stdout
    );
    assert!(status.stdout.contains("Not revealed"), "{}", status.stdout);
    for c in ["amira", "bruno"] {
        as_coder(&ws, c, &["code", "add", "Confiance"]).ok();
    }
    coding(&ws, "amira", "Confiance", 10, 20);
    coding(&ws, "bruno", "Confiance", 15, 30);
    let all = as_coder(&ws, "amira", &["coding", "list", "--all", "--json"])
        .ok()
        .json();
    assert_eq!(all.as_array().unwrap().len(), 2);
}

#[test]
fn a_code_name_in_both_codebooks_is_refused_naming_both_ids() {
    let ws = study(&["amira"]);
    let mine = as_coder(&ws, "amira", &["code", "add", "Confiance"]).ok();
    let shared = as_coder(&ws, "amira", &["code", "add", "Confiance", "--shared"]).ok();
    // "Added code 1 "Confiance"." — the id is the third word.
    let id = |run: &Run| run.stdout.split_whitespace().nth(2).unwrap().to_owned();
    let (mine, shared) = (id(&mine), id(&shared));
    let before = ws.dump();
    let refused = as_coder(
        &ws,
        "amira",
        &[
            "coding",
            "add",
            "--source",
            "entretien",
            "--code",
            "Confiance",
            "--start",
            "0",
            "--end",
            "5",
        ],
    );
    assert_ne!(refused.code, 0);
    assert!(
        refused
            .stderr
            .contains(&format!("(id {mine}, your codebook)"))
            && refused
                .stderr
                .contains(&format!("(id {shared}, shared codebook)")),
        "{}",
        refused.stderr
    );
    assert_eq!(ws.dump(), before);
    // The id says which.
    as_coder(
        &ws,
        "amira",
        &[
            "coding",
            "add",
            "--source",
            "entretien",
            "--code",
            &shared,
            "--start",
            "0",
            "--end",
            "5",
        ],
    )
    .ok();
}
