//! The participants, matrix, compare and journal pages in headless
//! Chromium against the real `verbatim serve` on the demo study, one
//! browser session for the whole module: edit an attribute in place and
//! see it stored, click a matrix cell and read its passages, reveal and
//! reconcile on the compare page, write and seal a preconception.
