//! Handles on one PostgreSQL study (`PgStore::handle`, `pool.rs`): they
//! share the study's connections, each names its own account in the audit
//! log, and one waiting on the database does not hold the others up.

use std::time::Duration;

use verbatim_core::Span;
use verbatim_store::{Accounts, Book, Codebook, Coders, Codings, NewCode, Store};

use super::{fixture, pg};

/// A study with the fixture interview, coders amira (2) and bruno (3) and
/// a code of each in their own codebook (amira's 1, bruno's 2).
fn two_coders(store: &mut verbatim_store_pg::PgStore) {
    store
        .import_batch("tester", vec![fixture::interview("entretien")])
        .unwrap();
    for name in ["amira", "bruno"] {
        store.add_coder("tester", name, None, None).unwrap();
        let scope = store.scope(name, false, false).unwrap();
        let code = NewCode {
            name: format!("Code de {name}"),
            book: Some(Book::Own),
            ..NewCode::default()
        };
        store.add_code(&scope, &code).unwrap();
    }
}

#[test]
fn handles_share_the_study_and_each_names_its_own_account() {
    let Some(study) = pg::study("handles_accounts") else {
        return;
    };
    let mut store = pg::create(&study);
    two_coders(&mut store);
    let mut lea = store.handle();
    lea.act_as_account(Some("lea")).unwrap();
    let mut plain = store.handle();
    // Taken one after the other, so each reuses the one idle connection,
    // switched to the handle's account each time.
    for (handle, coder, code) in [(&mut lea, "amira", 1), (&mut plain, "bruno", 2)] {
        let scope = handle.scope(coder, false, false).unwrap();
        handle
            .add_coding(&scope, 1, Span::new(0, 3).unwrap(), code, None)
            .unwrap();
    }
    let log = store.audit_log(2).unwrap();
    assert_eq!(
        [log[1].actor.as_str(), log[0].actor.as_str()],
        ["amira", "bruno"]
    );
    assert_eq!(log[1].account.as_deref(), Some("lea"));
    assert_eq!(log[0].account, None);
    // Creation, import, two coders, two codes, two codings: 8 entries, all
    // seen through the store the handles came from.
    assert_eq!(store.audit_log(10).unwrap().len(), 8);
}

#[test]
fn a_handle_waiting_on_a_lock_does_not_hold_the_others_up() {
    let Some(study) = pg::study("handles_side_by_side") else {
        return;
    };
    let mut store = pg::create(&study);
    two_coders(&mut store);
    let mut admin = study.admin();
    let mut lock = admin.transaction().unwrap();
    // amira's code (1) locked outside the store: her coding waits for it.
    lock.execute(
        &format!(
            "SELECT 1 FROM \"{}\".codes WHERE id = 1 FOR UPDATE",
            study.address.study()
        ),
        &[],
    )
    .unwrap();
    let mut waiting = store.handle();
    let first = std::thread::spawn(move || {
        let scope = waiting.scope("amira", false, false).unwrap();
        waiting.add_coding(&scope, 1, Span::new(0, 3).unwrap(), 1, None)
    });
    std::thread::sleep(Duration::from_millis(300));
    // bruno codes with his own code meanwhile, through another handle.
    let mut other = store.handle();
    let scope = other.scope("bruno", false, false).unwrap();
    assert_eq!(
        other
            .add_coding(&scope, 1, Span::new(0, 3).unwrap(), 2, None)
            .unwrap(),
        (1, true)
    );
    assert!(!first.is_finished(), "amira's coding passed a held lock");
    lock.commit().unwrap();
    assert_eq!(first.join().unwrap().unwrap(), (2, true));
}
