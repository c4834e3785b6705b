//! The colours highlights, stripes and tree swatches use.
//!
//! The Content-Security-Policy forbids `style` attributes, so a code's
//! colour cannot be written into the page as inline CSS; instead each code
//! gets one of a fixed set of calm, readable classes (`k0` … `k11`,
//! defined in `assets/app.css`), the same everywhere for the same code.

/// How many highlight colours `app.css` defines.
pub const COLOURS: i64 = 12;

/// Returns the CSS class of a code's colour.
pub fn class_of(code_id: i64) -> String {
    format!("k{}", code_id.rem_euclid(COLOURS))
}
