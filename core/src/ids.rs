//! Typed identifiers: each parses tolerantly (docs/algorithms.md §2.1) into a
//! value with one canonical display form, so an invalid identifier cannot
//! reach a derivation.
//!
//! | type | rule |
//! |---|---|
//! | [`EmailAddress`] | dot-atom `local@domain`, ≤ 254 bytes; comparison key lower-cases the domain |
//! | [`DealerId`] | 3–16 of `A–Z a–z 0–9 _ -`, case-sensitive |
//! | [`KmsLoginId`] | 8–10 of `A–Z a–z 0–9`, case-sensitive |
//! | [`MprId`] | 16 hex digits, shown `XXXX-XXXX-XXXX-XXXX` |
//! | [`ActivationNumber`] | 16 hex digits, shown `XXXX-XXXX-XXXX-XXXX` |
//! | [`RegistrationId`] | 8 hex digits |
//! | [`UpsSerial`] | 1–32 of `A–Z 0–9` |
//! | [`GatewayId`] | 12 of `A–Z 0–9` |
//! | [`PhoneNumber`] | 10–11 digits |

use std::fmt;

use crate::error::{Coded, ErrorKind, Lang, Param};
use crate::normalize::{Positioned, compact, fold_and_trim, is_fullwidth, is_separator};
use crate::quote::quote_char;

/// Which identifier an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdKind {
    /// E-mail address used as a user ID.
    Email,
    /// Dealer ID.
    DealerId,
    /// KMS login ID.
    KmsLoginId,
    /// MPR ID of a video terminal.
    MprId,
    /// Activation key number.
    ActivationNumber,
    /// Registration ID printed with an activation key.
    RegistrationId,
    /// UPS serial number.
    UpsSerial,
    /// Gateway ID.
    GatewayId,
    /// Phone number.
    PhoneNumber,
}

impl IdKind {
    /// Stable snake_case name, used as the `kind` parameter of errors.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::DealerId => "dealer_id",
            Self::KmsLoginId => "kms_login_id",
            Self::MprId => "mpr_id",
            Self::ActivationNumber => "activation_number",
            Self::RegistrationId => "registration_id",
            Self::UpsSerial => "ups_serial",
            Self::GatewayId => "gateway_id",
            Self::PhoneNumber => "phone_number",
        }
    }

    /// Human label in the given language.
    #[must_use]
    pub const fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Self::Email, Lang::En) => "e-mail address",
            (Self::Email, Lang::Ja) => "メールアドレス",
            (Self::DealerId, Lang::En) => "dealer ID",
            (Self::DealerId, Lang::Ja) => "販売店ID",
            (Self::KmsLoginId, Lang::En) => "login ID",
            (Self::KmsLoginId, Lang::Ja) => "ログインID",
            (Self::MprId, Lang::En) => "MPR ID",
            (Self::MprId, Lang::Ja) => "MPR ID",
            (Self::ActivationNumber, Lang::En) => "activation key number",
            (Self::ActivationNumber, Lang::Ja) => "アクティベーションキー番号",
            (Self::RegistrationId, Lang::En) => "registration ID",
            (Self::RegistrationId, Lang::Ja) => "登録ID",
            (Self::UpsSerial, Lang::En) => "UPS serial number",
            (Self::UpsSerial, Lang::Ja) => "UPSシリアル番号",
            (Self::GatewayId, Lang::En) => "gateway ID",
            (Self::GatewayId, Lang::Ja) => "ゲートウェイID",
            (Self::PhoneNumber, Lang::En) => "phone number",
            (Self::PhoneNumber, Lang::Ja) => "電話番号",
        }
    }
}

/// What is wrong with an e-mail address (the `reason` parameter of
/// `identifier.invalid_email`; stable names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EmailProblem {
    /// No `@`, or more than one.
    MissingAt,
    /// The part before `@` is empty, too long (> 64) or malformed.
    LocalPart,
    /// The domain is empty, has no dot, or a label is malformed.
    Domain,
    /// Longer than 254 bytes.
    TooLong,
    /// A character outside printable ASCII (internationalised addresses are
    /// not accepted; decision, listed in docs/README.md).
    NonAscii,
}

impl EmailProblem {
    /// Stable snake_case name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::MissingAt => "missing_at",
            Self::LocalPart => "local_part",
            Self::Domain => "domain",
            Self::TooLong => "too_long",
            Self::NonAscii => "non_ascii",
        }
    }
}

/// Why an identifier was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// Nothing left after normalisation. Code `identifier.empty`.
    #[error("{} is empty", kind.label(Lang::En))]
    Empty {
        /// Which identifier.
        kind: IdKind,
    },
    /// Fewer characters than the rule allows. Code `identifier.too_short`.
    #[error("{} must have at least {min} characters (got {actual})", kind.label(Lang::En))]
    TooShort {
        /// Which identifier.
        kind: IdKind,
        /// Minimum length.
        min: usize,
        /// Length after normalisation.
        actual: usize,
    },
    /// More characters than the rule allows. Code `identifier.too_long`.
    #[error("{} must have at most {max} characters (got {actual})", kind.label(Lang::En))]
    TooLong {
        /// Which identifier.
        kind: IdKind,
        /// Maximum length.
        max: usize,
        /// Length after normalisation.
        actual: usize,
    },
    /// A character the rule does not allow. Code `identifier.invalid_character`.
    #[error("{} contains '{}' at position {position}, which is not allowed", kind.label(Lang::En), quote_char(*character))]
    InvalidCharacter {
        /// Which identifier.
        kind: IdKind,
        /// The character as typed.
        character: char,
        /// 1-based position in the input as typed.
        position: usize,
    },
    /// An e-mail address that is not syntactically valid. Code
    /// `identifier.invalid_email`.
    #[error("not a valid e-mail address ({})", reason.name())]
    InvalidEmail {
        /// What is wrong.
        reason: EmailProblem,
    },
}

impl Coded for IdError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidInput
    }
    fn code(&self) -> &'static str {
        match self {
            Self::Empty { .. } => "identifier.empty",
            Self::TooShort { .. } => "identifier.too_short",
            Self::TooLong { .. } => "identifier.too_long",
            Self::InvalidCharacter { .. } => "identifier.invalid_character",
            Self::InvalidEmail { .. } => "identifier.invalid_email",
        }
    }

    fn params(&self) -> Vec<Param> {
        match self {
            Self::Empty { kind } => vec![("kind", kind.name().into())],
            Self::TooShort { kind, min, actual } => vec![
                ("kind", kind.name().into()),
                ("min", min.to_string()),
                ("actual", actual.to_string()),
            ],
            Self::TooLong { kind, max, actual } => vec![
                ("kind", kind.name().into()),
                ("max", max.to_string()),
                ("actual", actual.to_string()),
            ],
            Self::InvalidCharacter {
                kind,
                character,
                position,
            } => vec![
                ("kind", kind.name().into()),
                ("character", character.to_string()),
                ("position", position.to_string()),
            ],
            Self::InvalidEmail { reason } => vec![
                ("kind", IdKind::Email.name().into()),
                ("reason", reason.name().into()),
            ],
        }
    }

    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Ja => match self {
                Self::Empty { kind } => format!("{}を入力してください。", kind.label(lang)),
                Self::TooShort { kind, min, actual } => format!(
                    "{}は{min}文字以上で入力してください（入力は{actual}文字）。",
                    kind.label(lang)
                ),
                Self::TooLong { kind, max, actual } => format!(
                    "{}は{max}文字以内で入力してください（入力は{actual}文字）。",
                    kind.label(lang)
                ),
                Self::InvalidCharacter {
                    kind,
                    character,
                    position,
                } => format!(
                    "{}の{position}文字目「{}」は使用できない文字です。",
                    kind.label(lang),
                    quote_char(*character)
                ),
                Self::InvalidEmail { reason } => {
                    let detail = match reason {
                        EmailProblem::MissingAt => "「@」が1つ必要です",
                        EmailProblem::LocalPart => "「@」の前の部分が正しくありません",
                        EmailProblem::Domain => "ドメイン部分が正しくありません",
                        EmailProblem::TooLong => "254バイト以内で入力してください",
                        EmailProblem::NonAscii => "半角英数字と記号で入力してください",
                    };
                    format!("メールアドレスの形式が正しくありません（{detail}）。")
                }
            },
        }
    }
}

fn check_length(kind: IdKind, len: usize, min: usize, max: usize) -> Result<(), IdError> {
    if len == 0 {
        return Err(IdError::Empty { kind });
    }
    if len < min {
        return Err(IdError::TooShort {
            kind,
            min,
            actual: len,
        });
    }
    if len > max {
        return Err(IdError::TooLong {
            kind,
            max,
            actual: len,
        });
    }
    Ok(())
}

/// Compact (docs/algorithms.md §2.1), check characters then length, return the canonical string.
fn parse_compact(
    input: &str,
    kind: IdKind,
    min: usize,
    max: usize,
    allowed: fn(char) -> bool,
) -> Result<String, IdError> {
    // Fast path for valid ASCII input (the bulk case: serials read from a
    // file), without per-character position bookkeeping. ASCII needs no
    // width folding; anything it cannot accept goes to the general path,
    // which finds the error and its position. Same result (tested).
    if input.is_ascii() {
        let mut out = String::with_capacity(input.len());
        let mut valid = true;
        for c in input.chars() {
            if is_separator(c) {
                continue;
            }
            let up = c.to_ascii_uppercase();
            if !allowed(up) {
                valid = false;
                break;
            }
            out.push(up);
        }
        if valid {
            check_length(kind, out.len(), min, max)?;
            return Ok(out);
        }
    }
    parse_compact_general(input, kind, min, max, allowed)
}

fn parse_compact_general(
    input: &str,
    kind: IdKind,
    min: usize,
    max: usize,
    allowed: fn(char) -> bool,
) -> Result<String, IdError> {
    let chars: Vec<Positioned> = compact(input);
    if let Some(bad) = chars.iter().find(|p| !allowed(p.ch)) {
        return Err(IdError::InvalidCharacter {
            kind,
            character: bad.original,
            position: bad.position,
        });
    }
    check_length(kind, chars.len(), min, max)?;
    Ok(chars.into_iter().map(|p| p.ch).collect())
}

/// Fold and trim (hyphens significant), check characters then length.
fn parse_plain(
    input: &str,
    kind: IdKind,
    min: usize,
    max: usize,
    allowed: fn(char) -> bool,
) -> Result<String, IdError> {
    let leading = input
        .chars()
        .take_while(|c| crate::normalize::fold_width_char(*c).is_whitespace())
        .count();
    let value = fold_and_trim(input);
    if let Some((i, _)) = value.chars().enumerate().find(|(_, c)| !allowed(*c)) {
        let original = input.chars().nth(i.saturating_add(leading)).unwrap_or('?');
        return Err(IdError::InvalidCharacter {
            kind,
            character: original,
            position: i.saturating_add(leading).saturating_add(1),
        });
    }
    check_length(kind, value.chars().count(), min, max)?;
    Ok(value)
}

fn is_upper_alnum(c: char) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit()
}

fn parse_hex_u64(input: &str, kind: IdKind, digits: usize) -> Result<u64, IdError> {
    let s = parse_compact(input, kind, digits, digits, |c| c.is_ascii_hexdigit())?;
    u64::from_str_radix(&s, 16).map_err(|_| IdError::Empty { kind })
}

fn grouped_hex16(value: u64) -> String {
    let s = format!("{value:016X}");
    let mut out = String::with_capacity(19);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(c);
    }
    out
}

/// A 64-bit hex identifier shown as `XXXX-XXXX-XXXX-XXXX`.
macro_rules! hex16_id {
    ($(#[$doc:meta])* $ty:ident, $kind:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $ty(u64);

        impl $ty {
            /// Parse 16 hex digits; hyphens, spaces, full-width and lower case allowed.
            ///
            /// # Errors
            /// [`IdError`] naming the length or the offending character.
            pub fn parse(input: &str) -> Result<Self, IdError> {
                parse_hex_u64(input, $kind, 16).map(Self)
            }
            /// From the numeric value.
            #[must_use]
            pub const fn from_u64(value: u64) -> Self {
                Self(value)
            }
            /// The numeric value.
            #[must_use]
            pub const fn as_u64(self) -> u64 {
                self.0
            }
            /// Big-endian bytes.
            #[must_use]
            pub const fn to_bytes(self) -> [u8; 8] {
                self.0.to_be_bytes()
            }
            /// 16 upper-case hex digits without hyphens (the form derivations use).
            #[must_use]
            pub fn compact(self) -> String {
                format!("{:016X}", self.0)
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&grouped_hex16(self.0))
            }
        }
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($ty), self)
            }
        }
        text_form!($ty, IdError);
    };
}

hex16_id!(
    /// MPR ID of a video-conference terminal: 16 hex digits \[004\].
    MprId,
    IdKind::MprId
);
hex16_id!(
    /// Activation key number: 16 hex digits \[004\].
    ActivationNumber,
    IdKind::ActivationNumber
);

/// Registration ID printed with an activation key: 8 hex digits \[004\]
/// (decision). Shown as 8 upper-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegistrationId(u32);

impl RegistrationId {
    /// Parse 8 hex digits; hyphens, spaces, full-width and lower case allowed.
    ///
    /// # Errors
    /// [`IdError`] naming the length or the offending character.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let v = parse_hex_u64(input, IdKind::RegistrationId, 8)?;
        u32::try_from(v).map(Self).map_err(|_| IdError::TooLong {
            kind: IdKind::RegistrationId,
            max: 8,
            actual: 16,
        })
    }
    /// From the numeric value.
    #[must_use]
    pub const fn from_u32(value: u32) -> Self {
        Self(value)
    }
    /// The numeric value.
    #[must_use]
    pub const fn as_u32(self) -> u32 {
        self.0
    }
    /// Big-endian bytes.
    #[must_use]
    pub const fn to_bytes(self) -> [u8; 4] {
        self.0.to_be_bytes()
    }
}
impl fmt::Display for RegistrationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08X}", self.0)
    }
}
impl fmt::Debug for RegistrationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegistrationId({self})")
    }
}
text_form!(RegistrationId, IdError);

/// A validated string identifier.
macro_rules! string_id {
    ($(#[$doc:meta])* $ty:ident, |$input:ident| $parse:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $ty(String);

        impl $ty {
            /// Parse and normalise (docs/algorithms.md §2.1).
            ///
            /// # Errors
            /// [`IdError`] naming the length or the offending character.
            pub fn parse($input: &str) -> Result<Self, IdError> {
                $parse.map(Self)
            }
            /// The canonical form.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($ty), self.0)
            }
        }
        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        text_form!($ty, IdError);
    };
}

string_id!(
    /// UPS serial number: 1–32 of `A–Z 0–9` after normalisation (decision).
    UpsSerial,
    |input| parse_compact(input, IdKind::UpsSerial, 1, 32, is_upper_alnum)
);
string_id!(
    /// Gateway ID: 12 of `A–Z 0–9`, e.g. `01AB12345678` \[002\].
    GatewayId,
    |input| parse_compact(input, IdKind::GatewayId, 12, 12, is_upper_alnum)
);
string_id!(
    /// Phone number: 10–11 digits after dropping hyphens and spaces \[001\]\[002\].
    PhoneNumber,
    |input| parse_compact(input, IdKind::PhoneNumber, 10, 11, |c| c.is_ascii_digit())
);
string_id!(
    /// Dealer ID: 3–16 of `A–Z a–z 0–9 _ -`, case-sensitive \[001\].
    DealerId,
    |input| parse_plain(input, IdKind::DealerId, 3, 16, |c| c.is_ascii_alphanumeric()
        || c == '_'
        || c == '-')
);
string_id!(
    /// KMS login ID: 8–10 of `A–Z a–z 0–9`, case-sensitive \[004\].
    KmsLoginId,
    |input| parse_plain(input, IdKind::KmsLoginId, 8, 10, |c| c.is_ascii_alphanumeric())
);

/// E-mail address used as a user ID \[000\]\[002\].
///
/// Accepts the dot-atom form (`local@domain`, no quoted local parts, no
/// comments), ASCII only, at most 254 bytes. The address keeps the case the
/// user typed; [`EmailAddress::comparison_key`] lower-cases the domain (the
/// local part is case-sensitive by RFC 5321, so it is left alone).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EmailAddress(String);

const EMAIL_MAX_BYTES: usize = 254;
const EMAIL_LOCAL_MAX: usize = 64;

fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c)
}

fn valid_local(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= EMAIL_LOCAL_MAX
        && local
            .split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(is_atext))
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().any(|c| c.is_ascii_alphabetic()))
}

impl EmailAddress {
    /// Parse an address (full-width folded, trimmed).
    ///
    /// # Errors
    /// [`IdError::InvalidEmail`] with the reason, or [`IdError::Empty`].
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let value = fold_and_trim(input);
        if value.is_empty() {
            return Err(IdError::Empty {
                kind: IdKind::Email,
            });
        }
        let bad = |reason| IdError::InvalidEmail { reason };
        if value
            .chars()
            .any(|c| !c.is_ascii_graphic() || is_fullwidth(c))
        {
            return Err(bad(EmailProblem::NonAscii));
        }
        if value.len() > EMAIL_MAX_BYTES {
            return Err(bad(EmailProblem::TooLong));
        }
        let mut parts = value.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad(EmailProblem::MissingAt));
        };
        if !valid_local(local) {
            return Err(bad(EmailProblem::LocalPart));
        }
        if !valid_domain(domain) {
            return Err(bad(EmailProblem::Domain));
        }
        Ok(Self(value))
    }

    /// The address as typed (after normalisation).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before `@`.
    #[must_use]
    pub fn local_part(&self) -> &str {
        self.parts().0
    }

    /// The part after `@`.
    #[must_use]
    pub fn domain(&self) -> &str {
        self.parts().1
    }

    /// `(local, domain)`: [`EmailAddress::parse`] admits exactly one `@`.
    fn parts(&self) -> (&str, &str) {
        self.0
            .split_once('@')
            .expect("a parsed e-mail address has exactly one '@'")
    }

    /// Key for uniqueness checks and look-ups: the domain lower-cased.
    #[must_use]
    pub fn comparison_key(&self) -> String {
        format!(
            "{}@{}",
            self.local_part(),
            self.domain().to_ascii_lowercase()
        )
    }
}
impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EmailAddress({:?})", self.0)
    }
}
impl AsRef<str> for EmailAddress {
    fn as_ref(&self) -> &str {
        &self.0
    }
}
text_form!(EmailAddress, IdError);

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The ASCII fast path of `parse_compact` returns exactly what the
        /// general path returns (value or error), for every identifier kind
        /// that uses it.
        #[test]
        fn ascii_fast_path_equals_general_path(
            input in proptest::prop_oneof![
                "[a-zA-Z0-9 \\t\\-_#０-９ａ-ｚー]{0,40}",
                "[a-zA-Z0-9 \\-]{0,40}",
                "[0-9a-fA-F \\-]{14,20}",
                "[0-9 \\-]{9,13}",
                "[A-Za-z0-9]{11,13}",
            ],
        ) {
            type Rule = (IdKind, usize, usize, fn(char) -> bool);
            let kinds: [Rule; 4] = [
                (IdKind::UpsSerial, 1, 32, is_upper_alnum),
                (IdKind::GatewayId, 12, 12, is_upper_alnum),
                (IdKind::PhoneNumber, 10, 11, |c| c.is_ascii_digit()),
                (IdKind::MprId, 16, 16, |c| c.is_ascii_hexdigit()),
            ];
            for (kind, min, max, allowed) in kinds {
                proptest::prop_assert_eq!(
                    parse_compact(&input, kind, min, max, allowed),
                    parse_compact_general(&input, kind, min, max, allowed)
                );
            }
        }
    }

    #[test]
    fn mpr_id_accepts_hyphens_fullwidth_and_lower_case() {
        let id = MprId::parse("０１２３－４５６７-89ab cdef").unwrap();
        assert_eq!(id.as_u64(), 0x0123_4567_89AB_CDEF);
        assert_eq!(id.to_string(), "0123-4567-89AB-CDEF");
        assert_eq!(id.compact(), "0123456789ABCDEF");
    }

    #[test]
    fn mpr_id_reports_length_and_character() {
        assert_eq!(
            MprId::parse("0123-4567-89AB-CDE"),
            Err(IdError::TooShort {
                kind: IdKind::MprId,
                min: 16,
                actual: 15
            })
        );
        assert_eq!(
            MprId::parse("0123-4567-89AB-CDEF0"),
            Err(IdError::TooLong {
                kind: IdKind::MprId,
                max: 16,
                actual: 17
            })
        );
        let err = MprId::parse("0123-4567-89AB-CDEG").unwrap_err();
        assert_eq!(
            err,
            IdError::InvalidCharacter {
                kind: IdKind::MprId,
                character: 'G',
                position: 19
            }
        );
        assert_eq!(err.code(), "identifier.invalid_character");
        assert!(err.message_ja().contains("19文字目"));
        assert_eq!(
            MprId::parse(" - "),
            Err(IdError::Empty {
                kind: IdKind::MprId
            })
        );
    }

    #[test]
    fn registration_id_is_eight_hex() {
        assert_eq!(
            RegistrationId::parse("ab12-cd34").unwrap().to_string(),
            "AB12CD34"
        );
        assert!(RegistrationId::parse("AB12CD3").is_err());
        assert!(RegistrationId::parse("AB12CD345").is_err());
    }

    #[test]
    fn ups_serial_bounds() {
        assert_eq!(
            UpsSerial::parse("ｓ１２３-abc").unwrap().as_str(),
            "S123ABC"
        );
        assert!(UpsSerial::parse(&"A".repeat(32)).is_ok());
        assert!(matches!(
            UpsSerial::parse(&"A".repeat(33)),
            Err(IdError::TooLong { max: 32, .. })
        ));
        assert!(matches!(
            UpsSerial::parse("AB_1"),
            Err(IdError::InvalidCharacter {
                character: '_',
                position: 3,
                ..
            })
        ));
    }

    #[test]
    fn gateway_id_example() {
        assert_eq!(
            GatewayId::parse("01ab-1234-5678").unwrap().as_str(),
            "01AB12345678"
        );
        assert!(GatewayId::parse("01AB1234567").is_err());
    }

    #[test]
    fn phone_number_lengths() {
        assert_eq!(
            PhoneNumber::parse("０９０－１２３４－５６７８")
                .unwrap()
                .as_str(),
            "09012345678"
        );
        assert!(PhoneNumber::parse("03-1234-5678").is_ok());
        assert!(matches!(
            PhoneNumber::parse("123-456-789"),
            Err(IdError::TooShort { min: 10, .. })
        ));
        assert!(matches!(
            PhoneNumber::parse("090-1234-56789"),
            Err(IdError::TooLong { max: 11, .. })
        ));
        assert!(PhoneNumber::parse("090-1234-567a").is_err());
    }

    #[test]
    fn dealer_id_keeps_hyphen_and_case() {
        assert_eq!(DealerId::parse(" Shop_A-1 ").unwrap().as_str(), "Shop_A-1");
        assert!(DealerId::parse("ab").is_err());
        assert!(DealerId::parse(&"a".repeat(16)).is_ok());
        assert!(DealerId::parse(&"a".repeat(17)).is_err());
        assert!(matches!(
            DealerId::parse(" ab.c"),
            Err(IdError::InvalidCharacter {
                character: '.',
                position: 4,
                ..
            })
        ));
    }

    #[test]
    fn kms_login_id_bounds() {
        assert!(KmsLoginId::parse("abcd1234").is_ok());
        assert!(KmsLoginId::parse("abcd12345X").is_ok());
        assert!(KmsLoginId::parse("abcd123").is_err());
        assert!(KmsLoginId::parse("abcd12345XY").is_err());
        assert!(KmsLoginId::parse("abcd_1234").is_err());
    }

    #[test]
    fn email_rules() {
        let e = EmailAddress::parse(" Taro.Yamada@Example.CO.JP ").unwrap();
        assert_eq!(e.comparison_key(), "Taro.Yamada@example.co.jp");
        assert_eq!(
            EmailAddress::parse("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ")
                .unwrap()
                .as_str(),
            "taro@example.jp"
        );
        for (bad, reason) in [
            ("taro", EmailProblem::MissingAt),
            ("a@b@c.jp", EmailProblem::MissingAt),
            (".a@b.jp", EmailProblem::LocalPart),
            ("a..b@b.jp", EmailProblem::LocalPart),
            ("a@b", EmailProblem::Domain),
            ("a@-b.jp", EmailProblem::Domain),
            ("a@b..jp", EmailProblem::Domain),
            ("山田@b.jp", EmailProblem::NonAscii),
            ("a b@b.jp", EmailProblem::NonAscii),
        ] {
            assert_eq!(
                EmailAddress::parse(bad),
                Err(IdError::InvalidEmail { reason }),
                "{bad}"
            );
        }
        let long = format!("{}@{}.jp", "a".repeat(64), "b".repeat(186));
        assert_eq!(long.len(), 254);
        assert!(EmailAddress::parse(&long).is_err()); // label > 63
        let long_ok = format!(
            "{}@{}.{}.{}.jp",
            "a".repeat(64),
            "b".repeat(60),
            "c".repeat(60),
            "d".repeat(63)
        );
        assert!(long_ok.len() <= 254 && EmailAddress::parse(&long_ok).is_ok());
        let too_long = format!(
            "{}@{}.{}.{}.{}.jp",
            "a".repeat(64),
            "b".repeat(60),
            "c".repeat(60),
            "d".repeat(63),
            "e".repeat(10)
        );
        assert_eq!(
            EmailAddress::parse(&too_long),
            Err(IdError::InvalidEmail {
                reason: EmailProblem::TooLong
            })
        );
        assert!(EmailAddress::parse(&format!("{}@b.jp", "a".repeat(65))).is_err());
    }

    #[test]
    fn serde_uses_canonical_strings() {
        let id = MprId::parse("0123456789abcdef").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"0123-4567-89AB-CDEF\"");
        assert_eq!(serde_json::from_str::<MprId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<MprId>("\"xyz\"").is_err());
    }
}
