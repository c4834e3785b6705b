//! The boundary concerns PostgreSQL does not build yet: each impl keeps the
//! trait's default bodies, which answer that the operation works on study
//! files only for now. A concern leaves this file for its own module when
//! `PgStore` implements it.

use verbatim_store::{Deidentifying, Media};

use crate::PgStore;

impl Media for PgStore {}

impl Deidentifying for PgStore {}
