//! Quotes out to translators (XLIFF 2.0, CSV) and their translations back in.
