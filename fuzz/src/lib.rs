//! Helpers shared by the fuzz targets: splitting one input into several
//! fields, fixed keys, and the error-code check every target makes.

use chrono::{DateTime, Utc};
use regcore::Coded;
use regcore::keys::{DeviceKey, MasterSecret};

/// Field separator inside a fuzz input. 0xFF never occurs in UTF-8, so any
/// valid string can be a field and seeds are easy to write by hand.
pub const SEP: u8 = 0xFF;

/// Split `data` on [`SEP`] into `n` text fields (missing ones are empty;
/// invalid UTF-8 is replaced, as a web form would do).
pub fn fields<const N: usize>(data: &[u8]) -> [String; N] {
    let mut out: [String; N] = std::array::from_fn(|_| String::new());
    let mut parts = data.splitn(N, |b| *b == SEP);
    for slot in &mut out {
        match parts.next() {
            Some(p) => *slot = String::from_utf8_lossy(p).into_owned(),
            None => break,
        }
    }
    out
}

/// A cursor that takes fixed-size integers from the front of the input,
/// yielding zeros once it runs out (so every input decodes to something).
pub struct Bytes<'a>(pub &'a [u8]);

impl Bytes<'_> {
    /// Next byte (0 when exhausted).
    pub fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }
    /// Next `N` bytes, zero-padded.
    pub fn array<const N: usize>(&mut self) -> [u8; N] {
        std::array::from_fn(|_| self.u8())
    }
    /// Big-endian u16.
    pub fn u16(&mut self) -> u16 {
        u16::from_be_bytes(self.array())
    }
    /// Big-endian u32.
    pub fn u32(&mut self) -> u32 {
        u32::from_be_bytes(self.array())
    }
    /// Big-endian u64.
    pub fn u64(&mut self) -> u64 {
        u64::from_be_bytes(self.array())
    }
    /// Big-endian i64.
    pub fn i64(&mut self) -> i64 {
        i64::from_be_bytes(self.array())
    }
    /// The rest of the input.
    pub fn rest(&mut self) -> &[u8] {
        std::mem::take(&mut self.0)
    }
    /// True once everything has been taken.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The `m32` master of the golden vectors (bytes 0x00..=0x1F, key id 1).
pub fn master() -> MasterSecret {
    let bytes: Vec<u8> = (0u8..32).collect();
    MasterSecret::new(1, &bytes).expect("32-byte master is valid")
}

/// A fixed device key (bytes 0x40..=0x5F).
pub fn device_key() -> DeviceKey {
    DeviceKey::from_bytes(std::array::from_fn(|i| 0x40 + i as u8))
}

/// An instant anywhere in chrono's range, from milliseconds since the epoch
/// (clamped), so targets see the extremes as well as ordinary dates.
pub fn instant_ms(ms: i64) -> DateTime<Utc> {
    let lo = DateTime::<Utc>::MIN_UTC.timestamp_millis();
    let hi = DateTime::<Utc>::MAX_UTC.timestamp_millis();
    DateTime::from_timestamp_millis(ms.clamp(lo, hi)).expect("clamped into range")
}

/// An ordinary instant: 2025-04-01T09:00:00Z plus up to ±2^31 seconds
/// (about ±68 years), for targets whose interest is not the calendar edge.
pub fn instant_near(offset_secs: i32) -> DateTime<Utc> {
    DateTime::from_timestamp(1_743_498_000 + i64::from(offset_secs), 0).expect("in range")
}

/// Every error must carry a code under `prefix` (e.g. `keycode.`), and
/// params and both messages must render without panicking.
pub fn assert_coded(err: &dyn Coded, prefixes: &[&str]) {
    let code = err.code();
    assert!(
        prefixes.iter().any(|p| code.starts_with(p)),
        "code {code:?} not under {prefixes:?}"
    );
    assert!(
        code.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_'),
        "code {code:?} is not snake_case.dotted"
    );
    let _ = err.params();
    assert!(!err.message(regcore::Lang::En).is_empty());
    assert!(!err.message(regcore::Lang::Ja).is_empty());
}

/// The invariants every password check must keep (shared by the preset and
/// the policy-JSON targets).
pub mod policy {
    use regcore::policy::{CheckContext, PasswordPolicy};

    use super::assert_coded;

    /// Check `password` and assert: every violation has a `password.` code
    /// that `describe()` lists (except the accept-but-change
    /// `default_credential`); length verdicts match the character count; a
    /// password equal to a blocklist entry is common; equal to the user ID
    /// (under `forbid_user_id`) contains it; the check is deterministic.
    pub fn check_all(
        policy: &PasswordPolicy,
        password: &str,
        user_id: &str,
        email: &str,
        listed: &[String],
    ) {
        let context = CheckContext::new()
            .with_user_id(user_id)
            .with_email(email)
            .with_blocklist(listed);
        let report = policy.check(password, &context);
        assert_eq!(
            report,
            policy.check(password, &context),
            "check is deterministic"
        );
        let rules = policy.describe();
        let mut allowed: Vec<&str> = rules
            .iter()
            .flat_map(|r| r.violation_codes().iter().copied())
            .collect();
        // `describe()` sees only the policy, not the caller's context
        // blocklist, so a context-listed password may be rejected as common
        // under a policy that describes no such rule (noted in docs/fuzzing.md).
        if !listed.is_empty() {
            allowed.push("password.common_password");
        }
        let codes = report.codes();
        for v in report.violations() {
            assert_coded(v, &["password."]);
        }
        for code in &codes {
            assert!(
                *code == "password.default_credential" || allowed.contains(code),
                "{code} reported but no rule of {rules:?} lists it"
            );
        }
        assert_eq!(report.is_ok(), report.violations().is_empty());
        assert_eq!(report.diagnostics().len(), report.violations().len());
        assert_eq!(report.skipped_history_entries(), 0, "no history given");

        let parts = policy.parts();
        let length = password.chars().count();
        assert_eq!(
            codes.contains(&"password.too_short"),
            length < parts.min_length as usize
        );
        assert_eq!(
            codes.contains(&"password.too_long"),
            length > parts.max_length as usize
        );
        if let Some(entry) = listed.first()
            && entry.to_lowercase() == password.to_lowercase()
        {
            assert!(codes.contains(&"password.common_password"), "{report:?}");
        }
        if parts.forbid_user_id
            && !user_id.trim().is_empty()
            && password.to_lowercase() == user_id.trim().to_lowercase()
        {
            assert!(codes.contains(&"password.contains_user_id"), "{report:?}");
        }
        if report.is_acceptable() {
            assert!(length >= parts.min_length as usize && length <= parts.max_length as usize);
        }
    }
}
