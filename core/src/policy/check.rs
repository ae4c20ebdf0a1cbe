//! [`PasswordPolicy`]: the presets and the check.

use crate::hash::{self, Pepper};
use crate::normalize::{fold_width_char, is_fullwidth};

use super::parts::{MAX_QUOTED_NAME, validate};
use super::{
    ASCII_SYMBOLS, Alphabet, COMMON_PASSWORDS, CharClass, DEFAULT_EXPIRY_WARNING_DAYS,
    IdentityField, MIN_CONTAINED_ID_CHARS, PRESET_NAMES, PolicyError, PolicyParts, Report,
    Requirement, UPS_SITE_SYMBOLS, Violation,
};

/// A validated password policy. Serialises as its [`PolicyParts`];
/// deserialising validates, so an invalid policy cannot be loaded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "PolicyParts", into = "PolicyParts")]
pub struct PasswordPolicy {
    parts: PolicyParts,
}

impl TryFrom<PolicyParts> for PasswordPolicy {
    type Error = PolicyError;

    fn try_from(parts: PolicyParts) -> Result<Self, Self::Error> {
        Self::new(parts)
    }
}

impl From<PasswordPolicy> for PolicyParts {
    fn from(policy: PasswordPolicy) -> Self {
        policy.parts
    }
}

impl PasswordPolicy {
    /// Validate parts into a policy.
    ///
    /// # Errors
    /// A [`PolicyError`] naming the first inconsistent part.
    pub fn new(parts: PolicyParts) -> Result<Self, PolicyError> {
        validate(&parts)?;
        Ok(Self { parts })
    }

    /// The parts, for inspection.
    #[must_use]
    pub const fn parts(&self) -> &PolicyParts {
        &self.parts
    }

    /// The parts, to derive a custom policy from a preset.
    #[must_use]
    pub fn into_parts(self) -> PolicyParts {
        self.parts
    }

    /// UPS registration site \[000\]: 10–16 characters of ASCII letters,
    /// digits and the 32 ASCII symbols (no space); at least one letter, one
    /// digit and one symbol; expires after 180 days.
    #[must_use]
    pub fn ups_site() -> Self {
        Self {
            parts: PolicyParts {
                min_length: 10,
                max_length: 16,
                alphabet: ascii(true, true, true, UPS_SITE_SYMBOLS),
                required: vec![
                    Requirement::one(CharClass::Letter),
                    Requirement::one(CharClass::Digit),
                    Requirement::one(CharClass::Symbol),
                ],
                max_age_days: Some(180),
                ..base(10, 16)
            },
        }
    }

    /// Remote monitoring service \[001\]\[002\]: 8–16 characters of ASCII
    /// letters, digits and ASCII symbols (decision: symbols allowed, space
    /// not); at least one lower-case letter, one upper-case letter and one
    /// digit; case-sensitive.
    #[must_use]
    pub fn monitoring_service() -> Self {
        Self {
            parts: PolicyParts {
                alphabet: ascii(true, true, true, ASCII_SYMBOLS),
                required: vec![
                    Requirement::one(CharClass::Lowercase),
                    Requirement::one(CharClass::Uppercase),
                    Requirement::one(CharClass::Digit),
                ],
                ..base(8, 16)
            },
        }
    }

    /// Key management system \[004\]: 8–10 of `A–Z a–z 0–9`; no run of 4
    /// sequential (`1234`, `dcba`) or 4 identical characters (decision).
    #[must_use]
    pub fn kms() -> Self {
        Self {
            parts: PolicyParts {
                alphabet: ascii(true, true, true, ""),
                forbid_sequential_run: Some(4),
                forbid_repeated_run: Some(4),
                ..base(8, 10)
            },
        }
    }

    /// Video terminal administrator PIN \[004\]: 4–10 digits; the factory
    /// default `00000000` is accepted but reported as `default_credential`.
    #[must_use]
    pub fn device_admin_pin() -> Self {
        Self {
            parts: PolicyParts {
                alphabet: ascii(false, false, true, ""),
                default_credentials: vec!["00000000".to_owned()],
                ..base(4, 10)
            },
        }
    }

    /// NIST SP 800-63B-4 single-factor password: 15–64 characters of any
    /// Unicode; no composition rules; common-password blocklist; must not
    /// contain the user ID; no periodic expiry.
    #[must_use]
    pub fn nist_800_63b() -> Self {
        Self {
            parts: PolicyParts {
                alphabet: Alphabet::AnyUnicode,
                forbid_user_id: true,
                use_common_blocklist: true,
                ..base(15, 64)
            },
        }
    }

    /// [`nist_800_63b`](Self::nist_800_63b) with the 8-character minimum
    /// NIST allows when the password is used together with a second factor.
    #[must_use]
    pub fn nist_800_63b_mfa() -> Self {
        Self {
            parts: PolicyParts {
                min_length: 8,
                ..Self::nist_800_63b().parts
            },
        }
    }

    /// A preset by name (see [`preset_names`](Self::preset_names)).
    ///
    /// # Errors
    /// [`PolicyError::UnknownPreset`] (`policy.unknown_preset`) for any
    /// other name; names are case-sensitive.
    pub fn preset(name: &str) -> Result<Self, PolicyError> {
        match name {
            "ups_site" => Ok(Self::ups_site()),
            "monitoring_service" => Ok(Self::monitoring_service()),
            "kms" => Ok(Self::kms()),
            "device_admin_pin" => Ok(Self::device_admin_pin()),
            "nist_800_63b" => Ok(Self::nist_800_63b()),
            "nist_800_63b_mfa" => Ok(Self::nist_800_63b_mfa()),
            _ => Err(PolicyError::UnknownPreset {
                name: name.chars().take(MAX_QUOTED_NAME).collect(),
            }),
        }
    }

    /// Names accepted by [`preset`](Self::preset).
    #[must_use]
    pub const fn preset_names() -> &'static [&'static str] {
        &PRESET_NAMES
    }

    /// Check a candidate password; every violation is reported.
    ///
    /// History (Argon2 verification against each previous hash, newest
    /// first, up to `history_depth`) runs only when no other rule rejected
    /// the password, so a rejected guess never costs Argon2 work.
    #[must_use]
    pub fn check(&self, password: &str, context: &CheckContext<'_>) -> Report {
        let p = &self.parts;
        let mut violations = Vec::new();

        let length = password.chars().count();
        if length < to_usize(p.min_length) {
            violations.push(Violation::TooShort {
                min: p.min_length,
                actual: to_u32(length),
            });
        }
        if length > to_usize(p.max_length) {
            violations.push(Violation::TooLong {
                max: p.max_length,
                actual: to_u32(length),
            });
        }

        self.check_characters(password, &mut violations);
        check_runs(p, password, &mut violations);

        if p.forbid_user_id
            && let Some(field) = contained_identity(password, context)
        {
            violations.push(Violation::ContainsUserId { field });
        }

        let lowered = password.to_lowercase();
        let common = p.use_common_blocklist && sorted_lines_contain(COMMON_PASSWORDS, &lowered);
        let listed = p
            .blocklist
            .iter()
            .chain(context.blocklist.iter())
            .any(|entry| entry.to_lowercase() == lowered);
        if common || listed {
            violations.push(Violation::CommonPassword);
        }

        let mut skipped_history_entries = 0u32;
        if p.history_depth > 0 && violations.is_empty() {
            for phc in context
                .previous_hashes
                .iter()
                .take(to_usize(p.history_depth))
            {
                match hash::verify_password(password, phc, context.pepper) {
                    Ok(true) => {
                        violations.push(Violation::ReusedPassword {
                            depth: p.history_depth,
                        });
                        break;
                    }
                    Ok(false) => {}
                    Err(_) => skipped_history_entries = skipped_history_entries.saturating_add(1),
                }
            }
        }

        if p.default_credentials.iter().any(|d| d == password) {
            violations.push(Violation::DefaultCredential);
        }

        Report {
            violations,
            skipped_history_entries,
        }
    }

    fn check_characters(&self, password: &str, violations: &mut Vec<Violation>) {
        let alphabet = &self.parts.alphabet;
        let mut counts = [0u32; 5];
        let mut fullwidth: Option<(char, u32, u32)> = None;
        let mut disallowed: Vec<(char, u32)> = Vec::new();

        for (index, c) in password.chars().enumerate() {
            let position = to_u32(index.saturating_add(1));
            let counted = if alphabet.allows(c) {
                Some(c)
            } else {
                let folded = fold_width_char(c);
                if is_fullwidth(c) && alphabet.allows(folded) {
                    // Counted as its half-width form, so the only message
                    // is "enter half-width characters".
                    match &mut fullwidth {
                        Some((_, _, count)) => *count = count.saturating_add(1),
                        None => fullwidth = Some((c, position, 1)),
                    }
                    Some(folded)
                } else {
                    if !disallowed.iter().any(|(seen, _)| *seen == c) {
                        disallowed.push((c, position));
                    }
                    None
                }
            };
            if let Some(ch) = counted {
                for (slot, class) in counts.iter_mut().zip(CLASSES) {
                    if alphabet.is_in_class(ch, class) {
                        *slot = slot.saturating_add(1);
                    }
                }
            }
        }

        for (character, position) in disallowed {
            violations.push(Violation::DisallowedCharacter {
                character,
                position,
            });
        }
        if let Some((character, position, count)) = fullwidth {
            violations.push(Violation::FullwidthCharacter {
                character,
                position,
                count,
            });
        }
        for requirement in &self.parts.required {
            let actual = CLASSES
                .iter()
                .zip(counts)
                .find(|(class, _)| **class == requirement.class)
                .map_or(0, |(_, n)| n);
            if actual < requirement.min_count {
                let min = requirement.min_count;
                violations.push(match requirement.class {
                    CharClass::Lowercase => Violation::MissingLowercase { min },
                    CharClass::Uppercase => Violation::MissingUppercase { min },
                    CharClass::Letter => Violation::MissingLetter { min },
                    CharClass::Digit => Violation::MissingDigit { min },
                    CharClass::Symbol => Violation::MissingSymbol {
                        min,
                        symbols: symbol_list(alphabet),
                    },
                });
            }
        }
    }
}

const CLASSES: [CharClass; 5] = [
    CharClass::Lowercase,
    CharClass::Uppercase,
    CharClass::Letter,
    CharClass::Digit,
    CharClass::Symbol,
];

fn base(min_length: u32, max_length: u32) -> PolicyParts {
    PolicyParts {
        min_length,
        max_length,
        alphabet: Alphabet::AnyUnicode,
        required: Vec::new(),
        forbid_sequential_run: None,
        forbid_repeated_run: None,
        forbid_user_id: false,
        use_common_blocklist: false,
        blocklist: Vec::new(),
        history_depth: 0,
        max_age_days: None,
        expiry_warning_days: DEFAULT_EXPIRY_WARNING_DAYS,
        default_credentials: Vec::new(),
    }
}

fn ascii(lowercase: bool, uppercase: bool, digits: bool, symbols: &str) -> Alphabet {
    Alphabet::Ascii {
        lowercase,
        uppercase,
        digits,
        symbols: symbols.to_owned(),
    }
}

fn symbol_list(alphabet: &Alphabet) -> String {
    match alphabet {
        Alphabet::AnyUnicode => String::new(),
        Alphabet::Ascii { symbols, .. } => symbols.clone(),
    }
}

fn to_usize(n: u32) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Step between two characters of a sequential run: ASCII digits among
/// digits, ASCII letters among letters ignoring case. `None` otherwise.
fn sequence_key(c: char) -> Option<(u8, u8)> {
    if c.is_ascii_digit() {
        Some((0, u8::try_from(c).ok()?))
    } else if c.is_ascii_alphabetic() {
        Some((1, u8::try_from(c.to_ascii_lowercase()).ok()?))
    } else {
        None
    }
}

fn step(a: char, b: char) -> Option<i8> {
    let (ka, va) = sequence_key(a)?;
    let (kb, vb) = sequence_key(b)?;
    if ka != kb {
        return None;
    }
    if vb.checked_sub(va) == Some(1) {
        Some(1)
    } else if va.checked_sub(vb) == Some(1) {
        Some(-1)
    } else {
        None
    }
}

fn check_runs(p: &PolicyParts, password: &str, violations: &mut Vec<Violation>) {
    if p.forbid_sequential_run.is_none() && p.forbid_repeated_run.is_none() {
        return;
    }
    let chars: Vec<char> = password.chars().collect();
    if let Some(run) = p.forbid_sequential_run {
        // Run length counts characters: `1234` is 4 characters, 3 steps.
        let mut start = 0usize;
        let mut len = 1usize;
        let mut dir = 0i8;
        let mut found = None;
        for (i, pair) in chars.windows(2).enumerate() {
            let (Some(&a), Some(&b)) = (pair.first(), pair.get(1)) else {
                continue;
            };
            match step(a, b) {
                Some(d) if d == dir && len > 1 => len = len.saturating_add(1),
                Some(d) => {
                    dir = d;
                    start = i;
                    len = 2;
                }
                None => {
                    dir = 0;
                    len = 1;
                }
            }
            if len >= to_usize(run) {
                found = Some(start);
                break;
            }
        }
        if let Some(start) = found {
            violations.push(Violation::SequentialRun {
                run,
                position: to_u32(start.saturating_add(1)),
            });
        }
    }
    if let Some(run) = p.forbid_repeated_run {
        let mut start = 0usize;
        let mut len = 1usize;
        let mut found = None;
        for (i, pair) in chars.windows(2).enumerate() {
            let (Some(a), Some(b)) = (pair.first(), pair.get(1)) else {
                continue;
            };
            if a == b {
                len = len.saturating_add(1);
            } else {
                start = i.saturating_add(1);
                len = 1;
            }
            if len >= to_usize(run) {
                found = Some(start);
                break;
            }
        }
        if let Some(start) = found {
            violations.push(Violation::RepeatedRun {
                run,
                position: to_u32(start.saturating_add(1)),
            });
        }
    }
}

/// Whether `needle` is one of the lines of `sorted` (lines sorted by byte
/// value, `\n`-separated): a binary search over the text itself, so the
/// blocklist needs no table built at run time.
#[expect(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "lo <= mid < hi <= text.len() and lo <= start <= end <= text.len(): \
              every range is in bounds and no sum exceeds text.len() + 1"
)]
fn sorted_lines_contain(sorted: &str, needle: &str) -> bool {
    let text = sorted.as_bytes();
    let needle = needle.as_bytes();
    // Invariant: `lo` is a line start; the needle, if present, starts in
    // `lo..hi`.
    let (mut lo, mut hi) = (0, text.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        // The line holding byte `mid`: `start..end`.
        let start = text[lo..mid]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(lo, |i| lo + i + 1);
        let end = text[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |i| start + i);
        match text[start..end].cmp(needle) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => lo = end + 1,
            std::cmp::Ordering::Greater => hi = start,
        }
    }
    false
}

fn contained_identity(password: &str, context: &CheckContext<'_>) -> Option<IdentityField> {
    let haystack = password.to_lowercase();
    let matches = |needle: &str| {
        let needle = needle.trim().to_lowercase();
        let n = needle.chars().count();
        if n == 0 {
            false
        } else if n < MIN_CONTAINED_ID_CHARS {
            haystack == needle
        } else {
            haystack.contains(&needle)
        }
    };
    let local_part = |address: &str| address.rsplit_once('@').map(|(local, _)| local.to_owned());
    if let Some(id) = context.user_id
        && (matches(id) || local_part(id).is_some_and(|l| matches(&l)))
    {
        return Some(IdentityField::UserId);
    }
    if let Some(email) = context.email
        && (matches(email) || local_part(email).is_some_and(|l| matches(&l)))
    {
        return Some(IdentityField::Email);
    }
    None
}

/// What a check knows about the account. All optional; build with
/// [`CheckContext::new`] and the `with_*` methods.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct CheckContext<'a> {
    /// The user ID (if it is an e-mail address, its local part is also
    /// looked for).
    pub user_id: Option<&'a str>,
    /// The e-mail address (the whole address and its local part are looked
    /// for).
    pub email: Option<&'a str>,
    /// PHC strings of previous passwords, newest first.
    pub previous_hashes: &'a [String],
    /// The pepper the previous hashes were made with.
    pub pepper: Option<&'a Pepper>,
    /// Site-specific passwords to reject (e.g. the product name).
    pub blocklist: &'a [String],
}

impl<'a> CheckContext<'a> {
    /// An empty context.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the user ID.
    #[must_use]
    pub const fn with_user_id(mut self, user_id: &'a str) -> Self {
        self.user_id = Some(user_id);
        self
    }

    /// Set the e-mail address.
    #[must_use]
    pub const fn with_email(mut self, email: &'a str) -> Self {
        self.email = Some(email);
        self
    }

    /// Set previous password hashes (PHC strings, newest first) and the
    /// pepper they were made with.
    #[must_use]
    pub const fn with_history(
        mut self,
        previous_hashes: &'a [String],
        pepper: Option<&'a Pepper>,
    ) -> Self {
        self.previous_hashes = previous_hashes;
        self.pepper = pepper;
        self
    }

    /// Add site-specific rejected passwords.
    #[must_use]
    pub const fn with_blocklist(mut self, blocklist: &'a [String]) -> Self {
        self.blocklist = blocklist;
        self
    }
}
