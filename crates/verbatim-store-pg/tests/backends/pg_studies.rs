//! The studies of one database (`verbatim_store_pg::studies`, what `serve
//! --dir postgres://…/DB` lists): only the schemas a study marks, sorted,
//! with their titles; a name held by any schema is taken; a study made a
//! moment ago can be discarded whole. Runs on a database of its own.

use verbatim_store::StudySettings;
use verbatim_store_pg::test_server::database;
use verbatim_store_pg::{PgStore, discard_new_study, name_taken, studies};

fn titled(title: &str) -> StudySettings {
    StudySettings {
        title: title.to_owned(),
        language: None,
    }
}

#[test]
fn a_database_lists_its_studies_and_nothing_else() {
    let Some(db) = database("store_studies") else {
        return;
    };
    // Made out of order: the listing sorts by name.
    for (name, title) in [("beta", "Marché"), ("alpha", "Atelier")] {
        let address = db.address.study(name).unwrap();
        PgStore::create(&address, &titled(title), "tester").unwrap();
    }
    // A schema that is no study, and one no ?study= could name (upper
    // case) even though it carries the mark.
    db.admin()
        .batch_execute(
            "CREATE SCHEMA notes; CREATE TABLE notes.idees (texte TEXT); \
             CREATE SCHEMA \"Ancienne\"; \
             CREATE TABLE \"Ancienne\".verbatim_migrations (version BIGINT)",
        )
        .unwrap();
    let listed: Vec<(String, String)> = studies(&db.address)
        .unwrap()
        .into_iter()
        .map(|s| (s.name, s.title.unwrap()))
        .collect();
    assert_eq!(
        listed,
        [
            ("alpha".to_owned(), "Atelier".to_owned()),
            ("beta".to_owned(), "Marché".to_owned())
        ]
    );
    assert!(name_taken(&db.address, "notes").unwrap());
    assert!(name_taken(&db.address, "beta").unwrap());
    assert!(!name_taken(&db.address, "gamma").unwrap());

    // Discarding alpha leaves beta and the other schemas as they were.
    discard_new_study(&db.address.study("alpha").unwrap()).unwrap();
    let names: Vec<String> = studies(&db.address)
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["beta"]);
    assert!(!name_taken(&db.address, "alpha").unwrap());
    assert!(name_taken(&db.address, "notes").unwrap());
}
