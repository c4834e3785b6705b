//! A name holding a NUL (U+0000) is looked up alike on SQLite and
//! PostgreSQL: no stored name can hold one, so it names nothing, and each
//! lookup answers as it does for any unknown name (PostgreSQL is not asked:
//! it would refuse the query). The writes that carry a looked-up name or a
//! typed value (a participant's site, a roster's values, an imported
//! codebook, an imported source's name or site) are refused alike and
//! write nothing.

use verbatim_store::{
    Accounts, AnalysisReads, Book, CodeFields, CodebookEdits, Coders, Guides, History, ImportItem,
    ImportedCode, NewParticipant, Participants, SourceRef, Withdrawing,
};

use super::agreement::{Backend, build};
use super::fixture;

/// What these behaviours ask of a backend.
pub trait Lookups:
    Backend
    + Accounts
    + AnalysisReads
    + CodebookEdits
    + Coders
    + Guides
    + History
    + Participants
    + Withdrawing
{
}
impl<T> Lookups for T where
    T: Backend
        + Accounts
        + AnalysisReads
        + CodebookEdits
        + Coders
        + Guides
        + History
        + Participants
        + Withdrawing
{
}

conformance!(
    names_holding_a_nul_name_nothing_alike,
    sites_values_codes_and_sources_holding_a_nul_are_refused_alike,
);

/// The sentence a call gave, or its answer written with `{:?}`.
fn said<T: std::fmt::Debug, E: std::fmt::Display>(result: Result<T, E>) -> String {
    match result {
        Ok(answer) => format!("{answer:?}"),
        Err(e) => e.to_string(),
    }
}

/// `agreement::build`'s study with site Hôpital (CH), participant P01 of
/// it (Métier "infirmière"), a source attribute Lieu on source 1 and the
/// guide "Guide" (one question).
fn study(store: &mut impl Lookups) {
    build(store);
    store.add_site("tester", "Hôpital", "CH").unwrap();
    let p01 = NewParticipant {
        code: Some("P01".into()),
        label: None,
        site: Some("CH".into()),
    };
    store.add_participant("tester", &p01).unwrap();
    store
        .define_attribute(
            "tester",
            "Métier",
            verbatim_store::AppliesTo::Participant,
            verbatim_store::AttrType::Text,
            &[],
        )
        .unwrap();
    let metier = [("Métier".to_owned(), "infirmière".to_owned())];
    store
        .set_participant("tester", "P01", None, None, &metier)
        .unwrap();
    store
        .define_attribute(
            "tester",
            "Lieu",
            verbatim_store::AppliesTo::Source,
            verbatim_store::AttrType::Text,
            &[],
        )
        .unwrap();
    let lieu = [("Lieu".to_owned(), "Lyon".to_owned())];
    store
        .set_source_values("tester", &SourceRef::Id(1), &lieu)
        .unwrap();
    store
        .add_guide(
            "tester",
            "Guide",
            "1. Qu'est-ce qui vous amène ?\n",
            None,
            None,
        )
        .unwrap();
}

fn names_holding_a_nul_name_nothing_alike(store: &mut impl Lookups) {
    study(store);
    let before = store.audit_log(1000).unwrap().len();
    let amira = store.scope("amira", false, false).unwrap();
    // The same names without the NUL are found, so only the NUL makes the
    // difference below.
    assert!(store.coder_by_name("amira").unwrap().is_some());
    assert_eq!(
        store
            .source_id(&SourceRef::Name("entretien".into()))
            .unwrap(),
        1
    );
    assert_eq!(store.find_code(&amira, "Humeur", None).unwrap(), 2);
    assert_eq!(store.participant_values_of("Métier").unwrap().len(), 1);
    assert_eq!(store.source_values_of("Lieu").unwrap().len(), 1);
    let answers = [
        said(store.coder_by_name("ami\0ra")),
        said(store.scope("ami\0ra", false, false).map(|_| ())),
        said(store.source_id(&SourceRef::Name("entre\0tien".into()))),
        said(
            store
                .source(&SourceRef::Name("entre\0tien".into()))
                .map(|_| ()),
        ),
        said(store.find_code(&amira, "Hu\0meur", None)),
        said(store.find_participant("P0\u{0}1")),
        said(store.participant_values_of("Mé\0tier")),
        said(store.source_values_of("Li\0eu")),
        said(store.use_guide("tester", &SourceRef::Id(1), "Gui\0de", None)),
        said(store.login_hash("ami\0ra")),
        said(store.undo("ami\0ra", 1)),
    ];
    // Each as for an unknown name, written out here: the file's answers.
    let expected = [
        "None",
        "no coder \"ami\\0ra\" in this study: add one with `verbatim coder add ami\0ra`, \
         or check --coder / VERBATIM_CODER",
        "no source \"entre\\0tien\" in this study: list them with `verbatim sources`",
        "no source \"entre\\0tien\" in this study: list them with `verbatim sources`",
        "no code \"Hu\\0meur\" in your codebook or the shared one: list them with \
         `verbatim code tree`",
        "no participant \"P0\\01\" in this study: list them with `verbatim participants list`",
        "{}",
        "{}",
        "no interview guide \"Gui\\0de\": list them with `verbatim guide list`",
        "None",
        "nothing to undo for ami\0ra",
    ];
    assert_eq!(answers, expected.map(String::from));
    assert_eq!(store.audit_log(1000).unwrap().len(), before);
}

/// A note to import, collected at `site`.
fn sited(site: &str) -> ImportItem {
    let mut note = fixture::note("jeudi", "Je viens le jeudi.");
    note.site = Some(site.into());
    note
}

/// An imported code named `name` at level 1, without parent.
fn imported(name: &str, fields: CodeFields) -> ImportedCode {
    ImportedCode {
        name: name.into(),
        level: 1,
        parents: Vec::new(),
        fields,
        guid: None,
    }
}

fn sites_values_codes_and_sources_holding_a_nul_are_refused_alike(store: &mut impl Lookups) {
    study(store);
    let before = store.audit_log(1000).unwrap().len();
    let amira = store.scope("amira", false, false).unwrap();
    let p02 = NewParticipant {
        code: Some("P02".into()),
        label: None,
        site: Some("Hô\0pital".into()),
    };
    let header = ["code".to_owned(), "name".to_owned(), "Métier".to_owned()];
    let row = |name: &str, metier: &str| vec!["P03".to_owned(), name.into(), metier.into()];
    let example = CodeFields {
        example: Some("« je ris\0 »".into()),
        ..CodeFields::default()
    };
    let answers = [
        said(store.add_participant("tester", &p02)),
        said(store.set_participant("tester", "P01", None, Some("C\0H"), &[])),
        said(store.import_roster("tester", &header, &[row("Zoé", "aide-\0soignante")], &[])),
        said(store.import_roster("tester", &header, &[row("Zo\0é", "aide")], &[])),
        said(store.import_codes(
            &amira,
            Book::Own,
            &[imported("Pl\0uie", CodeFields::default())],
        )),
        said(store.import_codes(&amira, Book::Own, &[imported("Pluie", example)])),
        said(store.import_batch("tester", vec![sited("C\0H")])),
        said(store.import_batch("tester", vec![fixture::note("jeu\0di", "Je viens.")])),
    ];
    let nul = "holds the character U+0000 (NUL), which a study cannot store, so nothing was \
               changed: remove it and try again";
    let expected = [
        "no site \"Hô\\0pital\" in this study: add it with `verbatim sites add NAME --code CODE`"
            .to_owned(),
        "no site \"C\\0H\" in this study: add it with `verbatim sites add NAME --code CODE`"
            .to_owned(),
        format!("nothing was imported; fix these and try again:\nrow 2: the value of Métier {nul}"),
        format!(
            "nothing was imported; fix these and try again:\nrow 2: the participant's label {nul}"
        ),
        format!("the code name {nul}"),
        format!("the code's example {nul}"),
        format!("the source's site {nul}"),
        format!("the source's name {nul}"),
    ];
    assert_eq!(answers, expected);
    assert_eq!(store.audit_log(1000).unwrap().len(), before);
    let people = store.participants().unwrap();
    assert_eq!(people.len(), 1, "{people:?}");
    // `build` imported three sources; the refused batches added none.
    assert_eq!(store.sources().unwrap().len(), 3);
}
