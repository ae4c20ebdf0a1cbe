//! The versioned text form every stored state uses: `<tag>.<field>.…`, each
//! field canonical decimal (one spelling per value), so equal states encode
//! to equal strings and the string can be a compare-and-set token. Lockout
//! (`l1`), code (`c1`) and session (`s1`) states are written and read here.

/// Why a stored text is not a state of the expected form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Malformed {
    /// Longer than the form can ever be.
    TooLong,
    /// Another tag (another kind of state, or a version this release does
    /// not read).
    Version,
    /// Not exactly the expected number of fields.
    Fields,
}

impl Malformed {
    /// The `reason` parameter of the state's `malformed_state` error.
    pub(crate) const fn reason(self) -> &'static str {
        match self {
            Self::TooLong => "too_long",
            Self::Version => "version",
            Self::Fields => "fields",
        }
    }
}

/// The `N` fields of `input` if it reads `<tag>.<f1>.….<fN>` and is at most
/// `max_len` bytes.
pub(crate) fn fields<'a, const N: usize>(
    input: &'a str,
    tag: &str,
    max_len: usize,
) -> Result<[&'a str; N], Malformed> {
    if input.len() > max_len {
        return Err(Malformed::TooLong);
    }
    let mut parts = input.split('.');
    if parts.next() != Some(tag) {
        return Err(Malformed::Version);
    }
    let mut out = [""; N];
    for slot in &mut out {
        *slot = parts.next().ok_or(Malformed::Fields)?;
    }
    if parts.next().is_some() {
        return Err(Malformed::Fields);
    }
    Ok(out)
}

/// `<tag>.<f1>.….<fN>`.
pub(crate) fn join(tag: &str, fields: &[String]) -> String {
    let mut out = String::from(tag);
    for field in fields {
        out.push('.');
        out.push_str(field);
    }
    out
}

/// Decimal digits without sign or leading zeros (at most 20).
pub(crate) fn canonical_u64(s: &str) -> Option<u64> {
    let ok = !s.is_empty()
        && s.len() <= 20
        && s.bytes().all(|b| b.is_ascii_digit())
        && (s == "0" || !s.starts_with('0'));
    if ok { s.parse().ok() } else { None }
}

/// [`canonical_u64`] that fits a `u32`.
pub(crate) fn canonical_u32(s: &str) -> Option<u32> {
    canonical_u64(s).and_then(|v| u32::try_from(v).ok())
}

/// Canonical decimal `i64`: optional `-`, no `+`, no leading zeros, no `-0`.
pub(crate) fn canonical_i64(s: &str) -> Option<i64> {
    canonical_u64(s.strip_prefix('-').unwrap_or(s))?;
    if s == "-0" { None } else { s.parse().ok() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_need_the_tag_and_the_exact_count() {
        assert_eq!(fields::<2>("s1.1.2", "s1", 64), Ok(["1", "2"]));
        assert_eq!(fields::<2>("s2.1.2", "s1", 64), Err(Malformed::Version));
        assert_eq!(fields::<2>("s1.1", "s1", 64), Err(Malformed::Fields));
        assert_eq!(fields::<2>("s1.1.2.3", "s1", 64), Err(Malformed::Fields));
        assert_eq!(fields::<2>("s1.1.2", "s1", 5), Err(Malformed::TooLong));
        assert_eq!(fields::<3>("l1.0..", "l1", 64), Ok(["0", "", ""]));
        assert_eq!(
            join("l1", &["0".into(), String::new(), "5".into()]),
            "l1.0..5"
        );
    }

    #[test]
    fn numbers_have_one_spelling() {
        for bad in ["", "01", "+1", "-0", " 1", "1 ", "1.0", "-", "x"] {
            assert_eq!(canonical_i64(bad), None, "{bad:?}");
        }
        assert_eq!(canonical_i64("-12"), Some(-12));
        assert_eq!(canonical_u32("4294967295"), Some(u32::MAX));
        assert_eq!(canonical_u32("4294967296"), None);
        assert_eq!(canonical_u64("18446744073709551615"), Some(u64::MAX));
        assert_eq!(canonical_u64("18446744073709551616"), None);
    }
}
