//! Signed links: `peek` and verification of arbitrary strings, plus an
//! issue → verify round trip on fuzzed claims.
//!
//! Input: token, 0xFF, phone / subject text, 0xFF, binding bytes (raw, may
//! contain 0xFF). The keyring holds the three keys of tokens.json, so the
//! golden tokens seed the authenticated paths.
//!
//! Asserts: errors carry `token.` codes (`token.malformed` from `peek`);
//! base64url decoding accepts only the canonical form; a token that
//! verifies carries exactly the claims `peek` shows, dies when the
//! generation moves on, the binding changes or the expiry passes; every
//! freshly issued token verifies, and every one-character change breaks it.
#![no_main]

use chrono::{DateTime, TimeDelta, Utc};
use libfuzzer_sys::fuzz_target;
use regcore::Coded;
use regcore::code::CodeSecret;
use regcore::ids::PhoneNumber;
use regcore::token::{
    InvalidReason, Keyring, LinkPolicy, MAX_CLAIM_LEN, ProvisionalRegistration, TokenError,
    base64url_decode, base64url_encode, peek,
};
use regcore_fuzz::{SEP, assert_coded};

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex literal"))
        .collect()
}

fn keyring() -> Keyring {
    let key = |h: &str| CodeSecret::new(&unhex(h)).expect("vector key is long enough");
    Keyring::new(1, key("7a302f3612aa0cdee7f3b0eb8c38140061dfef6fde1569f735fbf5381c6977ff"))
        .with_key(7, key("d7545201e73ab73202a0249d38e8cae51c3645f1680b7ed5fe84289ef7e982a32dc55d16bb8a1809d18f2647551b6c29"))
        .with_key(4_000_000_000, key("236e90c368a7fb63a9525868f95200b312fba4b65f53b31d25952012fd2ac38783b45550d0fc5999a186b94aaf5673f68c5c1026c91a27704e16060eec60cc8e"))
}

fn split3(data: &[u8]) -> (&[u8], &[u8], &[u8]) {
    let mut parts = data.splitn(3, |b| *b == SEP);
    (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    )
}

/// Verify `token` as what it claims to be; returns the claims if authentic.
fn verify_any(
    keys: &Keyring,
    token: &str,
    phone: Option<&PhoneNumber>,
    binding: &[u8],
    now: DateTime<Utc>,
) -> Option<regcore::token::LinkClaims> {
    let peeked = match peek(token) {
        Ok(c) => c,
        Err(e) => {
            assert_eq!(e, TokenError::Malformed);
            assert_coded(&e, &["token.malformed"]);
            return None;
        }
    };
    let link = LinkPolicy {
        purpose: peeked.purpose.clone(),
        lifetime_secs: 3_600,
    };
    let generation = peeked.generation;
    let plain = link.verify(keys, token, generation, binding, now);
    let registration = ProvisionalRegistration { link: link.clone() };
    let completed = phone.map(|p| registration.complete(keys, token, p, generation, binding, now));
    for e in [
        plain.as_ref().err(),
        completed.as_ref().and_then(|c| c.as_ref().err()),
    ]
    .into_iter()
    .flatten()
    {
        assert_coded(e, &["token."]);
    }
    if let Ok(claims) = &plain {
        assert_eq!(claims, &peeked);
        assert!(!claims.requires_phone);
    }
    if let Some(Ok(claims)) = &completed {
        assert_eq!(claims, &peeked);
        assert!(claims.requires_phone);
    }
    let accepted = plain.ok().or(completed.and_then(Result::ok))?;
    // Authentic: now kill it every way the caller can.
    if generation < u32::MAX {
        assert_eq!(
            link.verify(keys, token, generation + 1, binding, now)
                .err()
                .map(|e| e.code()),
            Some("token.superseded")
        );
    }
    let mut other = binding.to_vec();
    other.push(0);
    let tampered = link.verify(keys, token, generation, &other, now);
    assert_eq!(
        tampered.err(),
        Some(TokenError::Invalid {
            reason: InvalidReason::BadSignature
        })
    );
    let late = link.verify(keys, token, generation, binding, accepted.expires_at);
    assert!(late.is_err());
    Some(accepted)
}

fuzz_target!(|data: &[u8]| {
    let keys = keyring();
    let (token, text, binding) = split3(data);
    let token = String::from_utf8_lossy(token).into_owned();
    let text = String::from_utf8_lossy(text).into_owned();
    let phone = PhoneNumber::parse(&text).ok();

    if let Some(bytes) = base64url_decode(&token) {
        assert_eq!(
            base64url_encode(&bytes),
            token,
            "non-canonical base64url accepted"
        );
    }
    let now = match peek(&token) {
        Ok(c) => c.issued_at,
        Err(_) => DateTime::from_timestamp(1_743_498_000, 0).expect("in range"),
    };
    verify_any(&keys, &token, phone.as_ref(), binding, now);

    // Round trip on fuzzed claims: subject = the text field.
    let now = DateTime::from_timestamp(1_743_498_000, 0).expect("in range")
        + TimeDelta::seconds(i64::from(binding.first().copied().unwrap_or(0)));
    let link = LinkPolicy::password_reset();
    let generation = u32::from(binding.len() as u8);
    match link.issue(&keys, &text, generation, binding, now) {
        Err(e) => {
            assert!(text.len() > MAX_CLAIM_LEN);
            assert_coded(&e, &["token.claim_too_long"]);
        }
        Ok(t) => {
            let claims = verify_any(&keys, &t, None, binding, now).expect("fresh token verifies");
            assert_eq!(claims.subject, text);
            assert_eq!(claims.generation, generation);
            // One changed character (at a position picked by the input)
            // never yields an accepted token.
            let at = usize::from(binding.get(1).copied().unwrap_or(0)) % t.len();
            let mut chars: Vec<char> = t.chars().collect();
            chars[at] = if chars[at] == 'A' { 'B' } else { 'A' };
            let changed: String = chars.into_iter().collect();
            assert!(
                link.verify(&keys, &changed, generation, binding, now)
                    .is_err()
            );
        }
    }
    if let Some(p) = &phone {
        let reg = ProvisionalRegistration::default();
        if let Ok(t) = reg.issue(&keys, "application", p, 1, binding, now) {
            let claims = reg.link.verify(&keys, &t, 1, binding, now);
            assert_eq!(
                claims.err(),
                Some(TokenError::Invalid {
                    reason: InvalidReason::PhoneRequired
                })
            );
            assert!(reg.complete(&keys, &t, p, 1, binding, now).is_ok());
        }
    }
});
