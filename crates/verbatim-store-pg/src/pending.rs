//! The boundary concerns PostgreSQL does not build yet: each impl keeps the
//! trait's default bodies, which answer that the operation works on study
//! files only for now. A concern leaves this file for its own module when
//! `PgStore` implements it.

use verbatim_store::{Accounts, Deidentifying, Exchange, Media, ReaderReads};

use crate::PgStore;

impl Accounts for PgStore {}

impl ReaderReads for PgStore {}

impl Media for PgStore {}

impl Deidentifying for PgStore {}

impl Exchange for PgStore {}
