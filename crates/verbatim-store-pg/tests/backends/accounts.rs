//! The `Accounts` trait's behaviour, written once and run on SQLite and
//! PostgreSQL by `conformance!`: accounts added, listed, changed and
//! removed alike, the last owner kept, sessions opened, read, closed and
//! expired, invitations accepted once, the login log newest first, and the
//! acting account named in the audit log. Then what only a server has:
//! a session or an invitation shared by two server processes.

use verbatim_store::{
    Account, AccountError, Accounts, Coders, History, LoginEvent, Role, SESSION_IDLE_SECS,
    SessionAccount, SqliteStore, Store, password_matches,
};
use verbatim_store_pg::PgStore;

use super::{fixture, pg};

/// A study backend with what a team server uses.
pub trait Backend: Store + Coders + Accounts + History {}
impl<T: Store + Coders + Accounts + History> Backend for T {}

conformance!(
    accounts_are_added_listed_changed_and_removed_alike,
    the_last_owner_is_never_removed_nor_demoted,
    sessions_open_read_and_close,
    an_invitation_is_accepted_once,
    the_login_log_lists_newest_first,
    the_acting_account_is_named_in_the_audit_log,
);

/// The team every test starts with: Amira owns, bruno codes, chloé reads.
fn team(store: &mut impl Backend) {
    store
        .add_account("tester", "Amira", Role::Owner, "secret-amira-1")
        .unwrap();
    store
        .add_account("tester", " bruno ", Role::Coder, "secret-bruno-1")
        .unwrap();
    store
        .add_account("tester", "chloé", Role::Viewer, "secret-chloe-1")
        .unwrap();
}

fn listed(store: &impl Backend) -> Vec<(String, Role, bool)> {
    store
        .accounts()
        .unwrap()
        .into_iter()
        .map(|a: Account| (a.name, a.role, a.disabled_at.is_some()))
        .collect()
}

fn refusal<T: std::fmt::Debug>(result: Result<T, AccountError>) -> String {
    match result {
        Err(e) => e.to_string(),
        Ok(v) => panic!("accepted: {v:?}"),
    }
}

fn accounts_are_added_listed_changed_and_removed_alike(store: &mut impl Backend) {
    team(store);
    // By name, case aside: "Amira" < "bruno" < "chloé"; names trimmed.
    assert_eq!(
        listed(store),
        [
            ("Amira".into(), Role::Owner, false),
            ("bruno".into(), Role::Coder, false),
            ("chloé".into(), Role::Viewer, false)
        ]
    );
    // The coder account codes as the coder of its name (the consensus row
    // is coder 1, so bruno is coder 2, initials his first letter in capital).
    let bruno = store.coder_by_name("bruno").unwrap().unwrap();
    assert_eq!((bruno.id, bruno.initials.as_str()), (2, "B"));
    assert!(store.coder_by_name("chloé").unwrap().is_none());

    // The log names the account and role, never a hash, and keeps no rows.
    let log = store.audit_log(3).unwrap();
    let seen: Vec<(&str, &str, Option<&str>)> = log
        .iter()
        .map(|e| (e.actor.as_str(), e.action.as_str(), e.target.as_deref()))
        .collect();
    assert_eq!(
        seen,
        [
            ("tester", "account.add", Some("account:3")),
            ("tester", "account.add", Some("account:2")),
            ("tester", "account.add", Some("account:1")),
        ]
    );
    assert_eq!(
        log[1].data,
        serde_json::json!({ "summary": { "name": "bruno", "role": "coder" } })
    );
    // Account changes cannot be undone (an undo would bring a password back).
    assert_eq!(
        store.undo("tester", 1).unwrap_err().to_string(),
        "nothing to undo for tester"
    );

    let hash = store.login_hash("bruno").unwrap().unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(password_matches("secret-bruno-1", Some(&hash)));
    assert_eq!(store.owner_hash("bruno").unwrap(), None);
    assert!(store.owner_hash("Amira").unwrap().is_some());
    assert_eq!(store.login_hash("nobody").unwrap(), None);

    store
        .set_account_password("Amira", "bruno", "nouveau-secret")
        .unwrap();
    let hash = store.login_hash("bruno").unwrap().unwrap();
    assert!(password_matches("nouveau-secret", Some(&hash)));
    assert!(!password_matches("secret-bruno-1", Some(&hash)));
    store
        .set_account_role("Amira", "chloé", Role::Coder)
        .unwrap();
    // Becoming a coder gives chloé the coder of her name: coder 3.
    assert_eq!(store.coder_by_name("chloé").unwrap().unwrap().id, 3);
    let role = &store.audit_log(1).unwrap()[0];
    assert_eq!(
        (role.action.as_str(), role.actor.as_str()),
        ("account.role", "Amira")
    );
    assert_eq!(
        role.data["summary"],
        serde_json::json!({ "name": "chloé", "from": "viewer", "to": "coder" })
    );

    store.remove_account("Amira", "chloé").unwrap();
    assert_eq!(listed(store)[2], ("chloé".into(), Role::Coder, true));
    assert_eq!(store.login_hash("chloé").unwrap(), None);
    // Her coder and its work stay.
    assert!(store.coder_by_name("chloé").unwrap().is_some());
    // Adding the name again enables the same row, with the new role.
    store
        .add_account("Amira", "chloé", Role::Viewer, "encore-chloe")
        .unwrap();
    assert_eq!(listed(store).len(), 3);
    assert_eq!(listed(store)[2], ("chloé".into(), Role::Viewer, false));
    assert_eq!(
        store.audit_log(1).unwrap()[0].target.as_deref(),
        Some("account:3")
    );

    // Refusals, each changing nothing. 8 entries so far: the creation, 3
    // adds, the password, the role, the removal and the add again (the
    // coders made for accounts are inside their entries).
    let before = store.audit_log(100).unwrap();
    assert_eq!(before.len(), 8);
    assert_eq!(
        refusal(store.add_account("Amira", "bruno", Role::Viewer, "autre-secret")),
        "there is already an account named \"bruno\": change its role or password instead"
    );
    assert_eq!(
        refusal(store.set_account_role("Amira", "dora", Role::Coder)),
        "no account named \"dora\": list them with `verbatim account list`"
    );
    assert_eq!(
        refusal(store.add_account("Amira", "dora", Role::Coder, "court")),
        "the password is shorter than 8 characters: choose a longer one"
    );
    assert_eq!(
        refusal(store.add_account("Amira", "  ", Role::Coder, "assez-long")),
        "an account needs a name"
    );
    assert_eq!(
        refusal(store.add_account("Amira", "Consensus", Role::Coder, "assez-long")),
        "\"Consensus\" names the team's consensus layer; choose another account name"
    );
    assert!(matches!(
        store.add_account_with_hash("Amira", "dora", Role::Coder, "pas-un-hash".into()),
        Err(AccountError::Hash(_))
    ));
    assert_eq!(store.audit_log(100).unwrap(), before);
    assert!(store.coder_by_name("dora").unwrap().is_none());
}

fn the_last_owner_is_never_removed_nor_demoted(store: &mut impl Backend) {
    assert!(!store.has_owner().unwrap());
    team(store);
    assert!(store.has_owner().unwrap());
    let last = "Amira is the study's last owner: make another account owner first \
                (`verbatim account role NAME owner`)";
    let before = store.audit_log(100).unwrap();
    assert_eq!(refusal(store.remove_account("Amira", "Amira")), last);
    assert_eq!(
        refusal(store.set_account_role("Amira", "Amira", Role::Viewer)),
        last
    );
    assert_eq!(store.audit_log(100).unwrap(), before);
    assert_eq!(listed(store)[0], ("Amira".into(), Role::Owner, false));
    // With a second owner, the first may step down; then bruno is the last.
    store
        .set_account_role("Amira", "bruno", Role::Owner)
        .unwrap();
    store
        .set_account_role("bruno", "Amira", Role::Viewer)
        .unwrap();
    assert_eq!(
        refusal(store.remove_account("bruno", "bruno")),
        last.replace("Amira", "bruno")
    );
    // An owner made owner again is no demotion.
    store
        .set_account_role("bruno", "bruno", Role::Owner)
        .unwrap();
    assert!(store.has_owner().unwrap());
}

fn sessions_open_read_and_close(store: &mut impl Backend) {
    team(store);
    let token = store.open_session("bruno").unwrap();
    assert_eq!(token.len(), 64);
    assert!(token.chars().all(|c| c.is_ascii_hexdigit()), "{token}");
    let bruno = SessionAccount {
        name: "bruno".into(),
        role: Role::Coder,
        coder: Some("bruno".into()),
    };
    assert_eq!(store.session(&token).unwrap(), Some(bruno.clone()));
    assert_eq!(store.session(&"0".repeat(64)).unwrap(), None);
    store.close_session(&token).unwrap();
    assert_eq!(store.session(&token).unwrap(), None);

    // An owner codes under its own name from its first coding on, one
    // undoable `coder.add` by the account; a viewer codes as no one.
    let amira = store.open_session("Amira").unwrap();
    assert_eq!(store.session(&amira).unwrap().unwrap().coder, None);
    assert_eq!(
        store.add_account_coder("Amira").unwrap().as_deref(),
        Some("Amira")
    );
    assert_eq!(
        store.session(&amira).unwrap().unwrap().coder.as_deref(),
        Some("Amira")
    );
    assert_eq!(store.add_account_coder("chloé").unwrap(), None);
    let undone = store.undo("Amira", 1).unwrap();
    assert_eq!(undone[0].action, "coder.add");
    assert!(store.coder_by_name("Amira").unwrap().is_none());

    // A new password or a removal ends the account's sessions.
    let first = store.open_session("bruno").unwrap();
    let second = store.open_session("bruno").unwrap();
    assert_ne!(first, second);
    store
        .set_account_password("Amira", "bruno", "nouveau-secret")
        .unwrap();
    assert_eq!(store.session(&first).unwrap(), None);
    assert_eq!(store.session(&second).unwrap(), None);
    let chloe = store.open_session("chloé").unwrap();
    store.remove_account("Amira", "chloé").unwrap();
    assert_eq!(store.session(&chloe).unwrap(), None);
    assert!(matches!(
        store.open_session("chloé"),
        Err(AccountError::Unknown(name)) if name == "chloé"
    ));
    // Sessions are not audited: the last entry is the removal.
    assert_eq!(store.audit_log(1).unwrap()[0].action, "account.remove");
}

fn an_invitation_is_accepted_once(store: &mut impl Backend) {
    team(store);
    let token = store.invite("Amira", " dora ", Role::Coder).unwrap();
    assert_eq!(token.len(), 64);
    let invitation = store.invitation(&token).unwrap();
    assert_eq!(
        (invitation.name.as_str(), invitation.role),
        ("dora", Role::Coder)
    );
    let invite = &store.audit_log(1).unwrap()[0];
    assert_eq!(
        (invite.action.as_str(), invite.target.as_deref()),
        ("account.invite", Some("invitation:1"))
    );
    assert_eq!(
        invite.data,
        serde_json::json!({ "summary": { "name": "dora", "role": "coder" } })
    );
    let session = store.accept_invitation(&token, "secret-de-dora").unwrap();
    assert_eq!(
        store.session(&session).unwrap(),
        Some(SessionAccount {
            name: "dora".into(),
            role: Role::Coder,
            coder: Some("dora".into()),
        })
    );
    // dora is account 4, her coder 3 (after the consensus row and bruno).
    let join = &store.audit_log(1).unwrap()[0];
    assert_eq!(
        (
            join.actor.as_str(),
            join.action.as_str(),
            join.target.as_deref()
        ),
        ("dora", "account.join", Some("account:4"))
    );
    assert_eq!(store.coder_by_name("dora").unwrap().unwrap().id, 3);
    // Once only.
    let before = store.audit_log(100).unwrap();
    for result in [
        store.accept_invitation(&token, "autre-secret").map(drop),
        store.invitation(&token).map(drop),
        store.invitation(&"f".repeat(64)).map(drop),
    ] {
        assert!(
            matches!(result, Err(AccountError::BadInvitation)),
            "{result:?}"
        );
    }
    assert_eq!(store.audit_log(100).unwrap(), before);
    assert!(matches!(
        store.invite("Amira", "bruno", Role::Viewer),
        Err(AccountError::Duplicate(name)) if name == "bruno"
    ));
}

fn the_login_log_lists_newest_first(store: &mut impl Backend) {
    assert!(store.login_log(10).unwrap().is_empty());
    store
        .record_login("amira", LoginEvent::Failed, Some("10.0.0.7"))
        .unwrap();
    store
        .record_login(" amira\n", LoginEvent::Login, None)
        .unwrap();
    let long = "x".repeat(70);
    store
        .record_login(&long, LoginEvent::Failed, Some("::1"))
        .unwrap();
    store
        .record_login("amira", LoginEvent::Logout, None)
        .unwrap();
    let log = store.login_log(10).unwrap();
    let seen: Vec<(&str, &str, Option<&str>)> = log
        .iter()
        .map(|r| (r.name.as_str(), r.event.as_str(), r.address.as_deref()))
        .collect();
    let kept = "x".repeat(64);
    assert_eq!(
        seen,
        [
            ("amira", "logout", None),
            (kept.as_str(), "failed", Some("::1")),
            ("amira", "login", None),
            ("amira", "failed", Some("10.0.0.7")),
        ]
    );
    assert!(log.iter().all(|r| r.at.contains('T')));
    assert_eq!(store.login_log(2).unwrap(), log[..2]);
    // Logins are not in the audit log: only the creation is.
    assert_eq!(store.audit_log(10).unwrap().len(), 1);
}

fn the_acting_account_is_named_in_the_audit_log(store: &mut impl Backend) {
    team(store);
    store.act_as_account(Some("Amira")).unwrap();
    store.add_coder("Amira", "zoé", None, None).unwrap();
    store
        .set_account_role("Amira", "chloé", Role::Coder)
        .unwrap();
    store.act_as_account(None).unwrap();
    store.add_coder("tester", "yann", None, None).unwrap();
    let named: Vec<(String, Option<String>)> = store
        .audit_log(4)
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.account))
        .collect();
    assert_eq!(
        named,
        [
            ("coder.add".into(), None),
            ("account.role".into(), Some("Amira".into())),
            ("coder.add".into(), Some("Amira".into())),
            ("account.add".into(), None),
        ]
    );
    // Undo is a change too, and names the account acting.
    store.act_as_account(Some("bruno")).unwrap();
    store.undo("tester", 1).unwrap();
    let undo = &store.audit_log(1).unwrap()[0];
    assert_eq!(
        (undo.action.as_str(), undo.account.as_deref()),
        ("history.undo", Some("bruno"))
    );
}

/// Sessions past their time end: idle too long, or past their life
/// however active; a use renews an idle clock at most every 5 minutes.
/// `age` runs SQL on the study from outside the store, moving its clocks.
fn sessions_expire(store: &mut impl Backend, age: &mut dyn FnMut(&str)) {
    team(store);
    let token = store.open_session("bruno").unwrap();
    // 100 s short of idle: alive, and the read (over 300 s since the
    // last) renews last_seen to now.
    let back = SESSION_IDLE_SECS - 100;
    age(&format!(
        "UPDATE sessions SET last_seen = last_seen - {back}"
    ));
    assert!(store.session(&token).unwrap().is_some());
    // Had the read not renewed it, it would now be 2 × 43,100 s idle.
    age(&format!(
        "UPDATE sessions SET last_seen = last_seen - {back}"
    ));
    assert!(store.session(&token).unwrap().is_some());
    // A full idle period since the last use: gone.
    age(&format!(
        "UPDATE sessions SET last_seen = last_seen - {SESSION_IDLE_SECS}"
    ));
    assert_eq!(store.session(&token).unwrap(), None);
    // Active but past its life (expires_at now or before): gone too.
    let other = store.open_session("Amira").unwrap();
    assert!(store.session(&other).unwrap().is_some());
    age("UPDATE sessions SET expires_at = created_at");
    assert_eq!(store.session(&other).unwrap(), None);
    // An invitation past its time no longer works.
    let invitation = store.invite("Amira", "dora", Role::Viewer).unwrap();
    age("UPDATE invitations SET expires_at = expires_at - 604800");
    assert!(matches!(
        store.invitation(&invitation),
        Err(AccountError::BadInvitation)
    ));
}

#[test]
fn sessions_expire_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.vbt");
    let mut store = SqliteStore::create(&path, &fixture::settings(), "tester").unwrap();
    let outside = rusqlite::Connection::open(&path).unwrap();
    sessions_expire(&mut store, &mut |sql| {
        outside.execute(sql, []).unwrap();
    });
}

#[test]
fn sessions_expire_on_postgres() {
    let Some(study) = pg::study("sessions_expire") else {
        return;
    };
    let mut store = pg::create(&study);
    let mut outside = study.admin();
    outside
        .batch_execute(&format!("SET search_path TO \"{}\"", study.address.study()))
        .unwrap();
    sessions_expire(&mut store, &mut |sql| {
        outside.batch_execute(sql).unwrap();
    });
}

#[test]
fn a_session_opened_by_one_server_process_is_honoured_by_another() {
    let Some(study) = pg::study("sessions_shared") else {
        return;
    };
    let mut one = pg::create(&study);
    team(&mut one);
    let two = PgStore::open(&study.address).unwrap();
    let token = one.open_session("bruno").unwrap();
    assert_eq!(
        two.session(&token).unwrap().map(|s| s.name).as_deref(),
        Some("bruno")
    );
    two.close_session(&token).unwrap();
    assert_eq!(one.session(&token).unwrap(), None);
}

#[test]
fn an_invitation_taken_by_two_server_processes_at_once_works_once() {
    let Some(study) = pg::study("invitation_race") else {
        return;
    };
    let mut first = pg::create(&study);
    team(&mut first);
    let token = first.invite("Amira", "dora", Role::Coder).unwrap();
    let second = PgStore::open(&study.address).unwrap();
    let outcomes: Vec<bool> = std::thread::scope(|s| {
        let takers: Vec<_> = [first, second]
            .into_iter()
            .map(|mut store| {
                let token = token.clone();
                s.spawn(move || store.accept_invitation(&token, "secret-de-dora").is_ok())
            })
            .collect();
        takers.into_iter().map(|t| t.join().unwrap()).collect()
    });
    assert_eq!(outcomes.iter().filter(|ok| **ok).count(), 1, "{outcomes:?}");
    let store = PgStore::open(&study.address).unwrap();
    let joins = store
        .audit_log(100)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "account.join")
        .count();
    assert_eq!(joins, 1);
}
