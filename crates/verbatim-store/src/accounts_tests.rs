//! Accounts, sessions and invitations on a real study file.

use super::*;
use crate::Store;
use crate::testkit::fixture;

const PW: &str = "mot de passe sûr";

#[test]
fn a_coder_account_is_the_coder_of_its_name_and_logs_in_with_its_password_only() {
    let mut f = fixture();
    let before = f.store.coders().unwrap().len();
    f.store
        .add_account("tester", "chloé", Role::Coder, PW)
        .unwrap();
    // The fixture has amira and bruno; chloé is added as a third coder.
    assert_eq!(f.store.coders().unwrap().len(), before + 1);
    assert!(f.store.coder_by_name("chloé").unwrap().is_some());
    let who = f.store.check_login("chloé", PW).unwrap().unwrap();
    assert_eq!(who.role, Role::Coder);
    assert_eq!(who.coder.as_deref(), Some("chloé"));
    assert!(
        f.store
            .check_login("chloé", "mot de passe faux")
            .unwrap()
            .is_none()
    );
    assert!(f.store.check_login("personne", PW).unwrap().is_none());
    // A viewer acts as no coder, and adds none.
    f.store
        .add_account("tester", "vera", Role::Viewer, PW)
        .unwrap();
    assert!(f.store.coder_by_name("vera").unwrap().is_none());
    let vera = f.store.check_login("vera", PW).unwrap().unwrap();
    assert_eq!(vera.coder, None);
}

#[test]
fn the_audit_log_names_the_account_change_but_keeps_no_password_material() {
    let mut f = fixture();
    f.store
        .add_account("tester", "olga", Role::Owner, PW)
        .unwrap();
    f.store
        .set_account_password("tester", "olga", "un autre mot")
        .unwrap();
    let token = f.store.invite("tester", "ines", Role::Viewer).unwrap();
    let log = f.store.audit_log(3).unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["account.invite", "account.password", "account.add"]
    );
    let text = serde_json::to_string(&log).unwrap();
    assert!(text.contains("olga"));
    for secret in [
        PW,
        "un autre mot",
        "$argon2id",
        token.as_str(),
        &token_hash(&token),
    ] {
        assert!(!text.contains(secret), "{secret:?} is in the log");
    }
}

#[test]
fn the_last_owner_can_be_neither_removed_nor_demoted() {
    let mut f = fixture();
    f.store
        .add_account("tester", "olga", Role::Owner, PW)
        .unwrap();
    let err = f.store.remove_account("tester", "olga").unwrap_err();
    assert!(matches!(err, AccountError::LastOwner(_)), "{err}");
    let err = f
        .store
        .set_account_role("tester", "olga", Role::Coder)
        .unwrap_err();
    assert!(matches!(err, AccountError::LastOwner(_)), "{err}");
    assert!(f.store.has_owner().unwrap());
    // With a second owner, the first may go.
    f.store
        .add_account("tester", "paul", Role::Owner, PW)
        .unwrap();
    f.store.remove_account("tester", "olga").unwrap();
    assert!(f.store.check_login("olga", PW).unwrap().is_none());
    let olga = f.store.accounts().unwrap();
    assert!(
        olga.iter()
            .any(|a| a.name == "olga" && a.disabled_at.is_some())
    );
    // Adding the name again enables it.
    f.store
        .add_account("tester", "olga", Role::Viewer, PW)
        .unwrap();
    assert_eq!(
        f.store.check_login("olga", PW).unwrap().unwrap().role,
        Role::Viewer
    );
}

#[test]
fn duplicates_bad_roles_names_and_short_passwords_are_refused_and_change_nothing() {
    let mut f = fixture();
    f.store
        .add_account("tester", "olga", Role::Owner, PW)
        .unwrap();
    let counter = f.store.change_counter().unwrap();
    let err = f
        .store
        .add_account("tester", "olga", Role::Coder, PW)
        .unwrap_err();
    assert!(matches!(err, AccountError::Duplicate(_)), "{err}");
    assert!(matches!(
        "chef".parse::<Role>(),
        Err(AccountError::BadRole(_))
    ));
    assert!(matches!(
        f.store.add_account("tester", "consensus", Role::Coder, PW),
        Err(AccountError::BadName(_))
    ));
    assert!(matches!(
        f.store.add_account("tester", "zoé", Role::Coder, "court"),
        Err(AccountError::BadPassword(_))
    ));
    assert!(f.store.coder_by_name("zoé").unwrap().is_none());
    assert_eq!(f.store.change_counter().unwrap(), counter);
}

#[test]
fn sessions_are_found_by_token_only_and_end_at_logout_removal_or_password_change() {
    let mut f = fixture();
    f.store
        .add_account("tester", "olga", Role::Owner, PW)
        .unwrap();
    f.store
        .add_account("tester", "amira", Role::Coder, PW)
        .unwrap();
    let token = f.store.open_session("amira").unwrap();
    assert_eq!(token.len(), 64);
    let stored: String = f
        .store
        .conn
        .query_row("SELECT token_hash FROM sessions", [], |r| r.get(0))
        .unwrap();
    assert_ne!(stored, token, "only the hash is kept");
    assert_eq!(
        f.store.session(&token).unwrap().unwrap().coder.as_deref(),
        Some("amira")
    );
    assert!(f.store.session("0".repeat(64).as_str()).unwrap().is_none());
    f.store.close_session(&token).unwrap();
    assert!(f.store.session(&token).unwrap().is_none());
    let token = f.store.open_session("amira").unwrap();
    f.store
        .set_account_password("olga", "amira", "nouveau mot")
        .unwrap();
    assert!(f.store.session(&token).unwrap().is_none());
    let token = f.store.open_session("amira").unwrap();
    f.store.remove_account("olga", "amira").unwrap();
    assert!(f.store.session(&token).unwrap().is_none());
}

#[test]
fn an_idle_session_expires() {
    let mut f = fixture();
    f.store
        .add_account("tester", "olga", Role::Owner, PW)
        .unwrap();
    let token = f.store.open_session("olga").unwrap();
    // Last seen 12 h and one second ago: past the idle limit.
    f.store
        .conn
        .execute(
            "UPDATE sessions SET last_seen = last_seen - $1",
            [SESSION_IDLE_SECS + 1],
        )
        .unwrap();
    assert!(f.store.session(&token).unwrap().is_none());
}

#[test]
fn an_invitation_works_once_and_logs_the_new_account_in() {
    let mut f = fixture();
    f.store
        .add_account("tester", "olga", Role::Owner, PW)
        .unwrap();
    let token = f.store.invite("olga", "chloé", Role::Coder).unwrap();
    assert_eq!(
        f.store.invitation(&token).unwrap(),
        Invitation {
            name: "chloé".into(),
            role: Role::Coder
        }
    );
    assert!(matches!(
        f.store.accept_invitation(&token, "court"),
        Err(AccountError::BadPassword(_))
    ));
    let session = f.store.accept_invitation(&token, PW).unwrap();
    assert_eq!(f.store.session(&session).unwrap().unwrap().name, "chloé");
    assert!(f.store.coder_by_name("chloé").unwrap().is_some());
    assert!(matches!(
        f.store.accept_invitation(&token, PW),
        Err(AccountError::BadInvitation)
    ));
    assert!(matches!(
        f.store.invitation(&token),
        Err(AccountError::BadInvitation)
    ));
}

#[test]
fn the_acting_account_is_recorded_beside_the_actor() {
    let mut f = fixture();
    f.store.act_as_account(Some("amira-account")).unwrap();
    f.store.add_coder("amira", "dora", None, None).unwrap();
    f.store.act_as_account(None).unwrap();
    f.store.add_coder("tester", "emma", None, None).unwrap();
    let log = f.store.audit_log(2).unwrap();
    assert_eq!(log[0].account, None);
    assert_eq!(log[1].account.as_deref(), Some("amira-account"));
    assert_eq!(log[1].actor, "amira");
}
