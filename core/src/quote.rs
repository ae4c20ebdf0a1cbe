//! How a message quotes a character the user typed (docs/algorithms.md §2.1).
//!
//! Messages name the offending character, but a raw right-to-left override
//! (U+202E), a zero-width space or a NUL would reorder, hide or truncate the
//! message around it. [`quote_char`] is the one rendering every message
//! uses, in English and Japanese alike: visible characters (including
//! full-width letters) as typed, everything else as `U+XXXX`.

use std::fmt;

/// Code point ranges shown as `U+XXXX`: controls (Cc), format characters
/// (Cf, which includes the bidi controls), separators other than the ASCII
/// space (Zs/Zl/Zp), default-ignorable code points (variation selectors,
/// fillers), private use and noncharacters. Unicode 15.1; sorted.
const ESCAPED: &[(u32, u32)] = &[
    (0x0000, 0x001F),
    (0x007F, 0x00A0),
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x115F, 0x1160),
    (0x1680, 0x1680),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x2000, 0x200F),
    (0x2028, 0x202F),
    (0x205F, 0x206F),
    (0x3000, 0x3000),
    (0x3164, 0x3164),
    (0xE000, 0xF8FF),
    (0xFDD0, 0xFDEF),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFFB),
    (0xFFFE, 0xFFFF),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
    (0xF0000, 0x10FFFF),
];

/// Whether a message must show `c` escaped rather than as typed.
#[must_use]
pub fn is_escaped_in_messages(c: char) -> bool {
    let cp = u32::from(c);
    // Planes' last two code points (U+xFFFE, U+xFFFF) are noncharacters.
    if cp & 0xFFFE == 0xFFFE {
        return true;
    }
    ESCAPED
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                std::cmp::Ordering::Less
            } else if lo > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// A character as a message shows it: as typed when visible, `U+XXXX`
/// otherwise. Used by every message in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotedChar(pub char);

/// Render `c` for a message (see [`QuotedChar`]).
#[must_use]
pub fn quote_char(c: char) -> QuotedChar {
    QuotedChar(c)
}

impl fmt::Display for QuotedChar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if is_escaped_in_messages(self.0) {
            write!(f, "U+{:04X}", u32::from(self.0))
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// Text quoted in a message, each character rendered by [`quote_char`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotedText<'a>(pub &'a str);

impl fmt::Display for QuotedText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.chars().try_for_each(|c| {
            if is_escaped_in_messages(c) {
                write!(f, "<{}>", QuotedChar(c))
            } else {
                write!(f, "{c}")
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_characters_stay_as_typed() {
        for c in ['G', 'Ｇ', 'あ', '漢', '!', ' ', 'é', '😀'] {
            assert_eq!(quote_char(c).to_string(), c.to_string());
        }
    }

    #[test]
    fn invisible_and_reordering_characters_are_escaped() {
        for (c, shown) in [
            ('\u{202E}', "U+202E"),
            ('\u{200F}', "U+200F"),
            ('\0', "U+0000"),
            ('\u{7F}', "U+007F"),
            ('\u{85}', "U+0085"),
            ('\u{FEFF}', "U+FEFF"),
            ('\u{2066}', "U+2066"),
            ('\u{3000}', "U+3000"),
            ('\u{E0041}', "U+E0041"),
            ('\u{10FFFF}', "U+10FFFF"),
            ('\u{1FFFE}', "U+1FFFE"),
        ] {
            assert_eq!(quote_char(c).to_string(), shown);
        }
        assert_eq!(QuotedText("a\u{202E}b").to_string(), "a<U+202E>b");
    }

    #[test]
    fn table_is_sorted_and_disjoint() {
        assert!(ESCAPED.windows(2).all(|w| w[0].1 < w[1].0));
        assert!(ESCAPED.iter().all(|(lo, hi)| lo <= hi));
    }
}
