//! Input normalisation (docs/algorithms.md §2.1): what users type on Japanese keyboards and
//! paste from PDFs becomes the canonical ASCII form before validation.
//!
//! Passwords never pass through here: a full-width password is reported, not
//! silently folded (see [`crate::policy`]).

/// Map one full-width ASCII variant (U+FF01–U+FF5E) to ASCII and the
/// ideographic space U+3000 to a space; other characters are unchanged.
#[must_use]
pub fn fold_width_char(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => {
            // The block is a fixed offset from ASCII 0x21..=0x7E.
            char::from_u32(u32::from(c).wrapping_sub(0xFF01 - 0x21))
                .expect("U+FF01–U+FF5E map to ASCII U+0021–U+007E")
        }
        _ => c,
    }
}

/// True for a character that [`fold_width_char`] changes.
#[must_use]
pub fn is_fullwidth(c: char) -> bool {
    matches!(c, '\u{3000}' | '\u{FF01}'..='\u{FF5E}')
}

/// Fold full-width ASCII to ASCII and trim surrounding white space.
///
/// Used for free-form identifiers (e-mail addresses, dealer IDs, login IDs)
/// whose inner hyphens are significant.
#[must_use]
pub fn fold_and_trim(input: &str) -> String {
    let folded: String = input.chars().map(fold_width_char).collect();
    folded.trim().to_owned()
}

/// True for the separators dropped inside compact identifiers: white space
/// and the hyphen variants users type (`-`, `－`, `ー`, `‐`, `−`, and a few
/// close relatives seen in pasted PDFs).
#[must_use]
pub fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '\u{FF0D}' // full-width hyphen-minus
                | '\u{30FC}' // katakana prolonged sound mark
                | '\u{2010}' // hyphen
                | '\u{2011}' // non-breaking hyphen
                | '\u{2012}' // figure dash
                | '\u{2013}' // en dash
                | '\u{2212}' // minus sign
                | '\u{FF70}' // half-width prolonged sound mark
        )
}

/// A character that survived compaction, with its 1-based position in the
/// original input (so an error can point at what the user typed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Positioned {
    /// The folded, upper-cased character.
    pub ch: char,
    /// The character as typed.
    pub original: char,
    /// 1-based position in the original input, counted in characters.
    pub position: usize,
}

/// Compact form of a hex identifier, serial number, gateway ID, key code,
/// registration ID or phone number: full-width folded, separators dropped,
/// letters upper-cased. Positions refer to the original input.
#[must_use]
pub fn compact(input: &str) -> Vec<Positioned> {
    input
        .chars()
        .enumerate()
        .filter_map(|(i, original)| {
            let folded = fold_width_char(original);
            if is_separator(folded) || is_separator(original) {
                None
            } else {
                Some(Positioned {
                    ch: folded.to_ascii_uppercase(),
                    original,
                    position: i.saturating_add(1),
                })
            }
        })
        .collect()
}

/// [`compact`] as a plain string.
#[must_use]
pub fn compact_string(input: &str) -> String {
    compact(input).into_iter().map(|p| p.ch).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_fullwidth_block_edges() {
        assert_eq!(fold_width_char('\u{FF01}'), '!');
        assert_eq!(fold_width_char('\u{FF5E}'), '~');
        assert_eq!(fold_width_char('\u{FF10}'), '0');
        assert_eq!(fold_width_char('\u{FF21}'), 'A');
        assert_eq!(fold_width_char('\u{3000}'), ' ');
        assert_eq!(fold_width_char('\u{FF5F}'), '\u{FF5F}');
        assert_eq!(fold_width_char('あ'), 'あ');
    }

    #[test]
    fn compacts_hyphen_variants_and_case() {
        assert_eq!(
            compact_string(" ０１ab－cd‐ef−12ー34\u{3000}5-6 "),
            "01ABCDEF123456"
        );
    }

    #[test]
    fn positions_point_at_original_input() {
        let c = compact("a-b");
        assert_eq!(c.len(), 2);
        assert_eq!(c.get(1).map(|p| p.position), Some(3));
    }

    #[test]
    fn trims_after_folding() {
        assert_eq!(fold_and_trim("\u{3000}ｄｅａｌｅｒ_1 "), "dealer_1");
    }
}
