//! One-time codes (docs/codes-and-links.md §1): RFC 4226 known answers, lifetimes, attempts,
//! latest-only, single use, input normalisation, state encodings.
// Tests may unwrap, cast and do plain arithmetic on values they construct.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    clippy::cast_lossless
)]

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use hmac::{Hmac, KeyInit, Mac};
use proptest::prelude::*;
use regcore::Coded;
use regcore::code::{
    CodeError, CodePolicy, CodePurpose, CodeRejection, CodeSecret, CodeState, SUPERSEDED_LOOKBACK,
    derive_key, hotp_truncated, hotp6,
};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 4, 1, 9, 0, 0).unwrap()
}

fn secret() -> CodeSecret {
    CodeSecret::new(&(0u8..32).collect::<Vec<_>>()).expect("32 bytes is long enough")
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digits"))
        .collect()
}

/// RFC 4226 Appendix D: secret "12345678901234567890", counters 0..9:
/// (HMAC-SHA-1, truncated value, 6-digit HOTP).
const RFC4226: [(&str, u32, u32); 10] = [
    (
        "cc93cf18508d94934c64b65d8ba7667fb7cde4b0",
        0x4c93_cf18,
        755_224,
    ),
    (
        "75a48a19d4cbe100644e8ac1397eea747a2d33ab",
        0x4139_7eea,
        287_082,
    ),
    (
        "0bacb7fa082fef30782211938bc1c5e70416ff44",
        0x082f_ef30,
        359_152,
    ),
    (
        "66c28227d03a2d5529262ff016a1e6ef76557ece",
        0x66ef_7655,
        969_429,
    ),
    (
        "a904c900a64b35909874b33e61c5938a8e15ed1c",
        0x61c5_938a,
        338_314,
    ),
    (
        "a37e783d7b7233c083d4f62926c7a25f238d0316",
        0x33c0_83d4,
        254_676,
    ),
    (
        "bc9cd28561042c83f219324d3c607256c03272ae",
        0x7256_c032,
        287_922,
    ),
    (
        "a4fb960c0bc06e1eabb804e5b397cdc4b45596fa",
        0x04e5_b397,
        162_583,
    ),
    (
        "1b3c89f65e6c9e883012052823443f048b4332db",
        0x2823_443f,
        399_871,
    ),
    (
        "1637409809a679dc698207310c8c7fc07290d9e5",
        0x2679_dc69,
        520_489,
    ),
];

#[test]
fn rfc4226_appendix_d() {
    let key = hex("3132333435363738393031323334353637383930");
    for (counter, (mac_hex, truncated, hotp)) in RFC4226.iter().enumerate() {
        let counter = counter as u64;
        let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(&key).unwrap();
        mac.update(&counter.to_be_bytes());
        assert_eq!(mac.finalize().into_bytes().to_vec(), hex(mac_hex));
        assert_eq!(hotp_truncated(&key, counter), *truncated);
        assert_eq!(hotp6(&key, counter), *hotp);
    }
}

#[test]
fn key_derivation_is_the_documented_hmac() {
    let s = secret();
    let mut mac =
        <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&(0u8..32).collect::<Vec<_>>()).unwrap();
    let mut msg = Vec::new();
    for part in [&b"regcore/otp/v1"[..], b"password_reset", b"user-42"] {
        msg.extend_from_slice(&(part.len() as u32).to_be_bytes());
        msg.extend_from_slice(part);
    }
    mac.update(&msg);
    let expected = mac.finalize().into_bytes().to_vec();
    let key = derive_key(&s, CodePurpose::PasswordReset, "user-42").unwrap();
    assert_eq!(key.to_vec(), expected);
    // Purpose and subject separate the keys.
    assert_ne!(
        *derive_key(&s, CodePurpose::SignUp, "user-42").unwrap(),
        *key
    );
    assert_ne!(
        *derive_key(&s, CodePurpose::PasswordReset, "user-43").unwrap(),
        *key
    );
}

#[test]
fn issue_then_verify_once() {
    let p = CodePolicy::password_reset();
    let (state, code) = p.issue(&secret(), "user-42", None, t0()).unwrap();
    assert_eq!(state.generation, 1);
    assert_eq!(state.series, t0().timestamp() as u32);
    assert_eq!(state.counter(), (u64::from(state.series) << 32) | 1);
    assert_eq!(code.as_str().len(), 6);
    let key = derive_key(&secret(), CodePurpose::PasswordReset, "user-42").unwrap();
    assert_eq!(
        code.as_str(),
        format!("{:06}", hotp6(&*key, state.counter()))
    );

    let v = p.verify(
        &secret(),
        "user-42",
        code.as_str(),
        &state,
        t0() + TimeDelta::minutes(59),
    );
    assert_eq!(v.result, Ok(()));
    assert!(v.state.used);
    let again = p.verify(
        &secret(),
        "user-42",
        code.as_str(),
        &v.state,
        t0() + TimeDelta::minutes(59),
    );
    assert_eq!(again.result, Err(CodeRejection::AlreadyUsed));
    assert_eq!(again.state, v.state);
}

#[test]
fn typed_codes_accept_fullwidth_digits_spaces_and_hyphens() {
    let p = CodePolicy::sign_up();
    let (state, code) = p.issue(&secret(), "u", None, t0()).unwrap();
    let digits = code.as_str();
    let fullwidth: String = digits
        .chars()
        .map(|c| char::from_u32(u32::from(c) - 0x30 + 0xFF10).unwrap())
        .collect();
    for typed in [
        format!(" {digits} "),
        format!("{}\u{3000}{}", &fullwidth[..9], &fullwidth[9..]),
        format!("{}-{}", &digits[..3], &digits[3..]),
        format!("{} {}", &digits[..3], &digits[3..]),
    ] {
        assert_eq!(
            p.verify(&secret(), "u", &typed, &state, t0()).result,
            Ok(()),
            "{typed:?}"
        );
    }
}

#[test]
fn malformed_input_costs_no_attempt() {
    let p = CodePolicy::sign_up();
    let (state, _) = p.issue(&secret(), "u", None, t0()).unwrap();
    for typed in [
        "",
        "12345",
        "1234567",
        "abcdef",
        "12345x",
        "１２３４５",
        &"1".repeat(100),
    ] {
        let v = p.verify(&secret(), "u", typed, &state, t0());
        assert_eq!(v.result, Err(CodeRejection::Malformed), "{typed:?}");
        assert_eq!(v.state, state);
    }
}

fn wrong_code(right: &str) -> String {
    let n: u32 = right.parse().expect("a decimal count");
    format!("{:06}", (n + 1) % 1_000_000)
}

#[test]
fn five_wrong_tries_burn_the_code() {
    let p = CodePolicy::sign_up();
    let (mut state, code) = p.issue(&secret(), "u", None, t0()).unwrap();
    let wrong = wrong_code(code.as_str());
    for left in (0..5).rev() {
        let v = p.verify(&secret(), "u", &wrong, &state, t0());
        assert_eq!(
            v.result,
            Err(CodeRejection::Wrong {
                attempts_left: left
            })
        );
        assert_eq!(v.state.attempts, 5 - left);
        state = v.state;
    }
    // Burned: even the right code is refused now, and nothing changes.
    let v = p.verify(&secret(), "u", code.as_str(), &state, t0());
    assert_eq!(v.result, Err(CodeRejection::TooManyAttempts));
    assert_eq!(v.state, state);
    // A new code gets fresh attempts.
    let (state, code) = p
        .issue(&secret(), "u", Some(&state), t0() + TimeDelta::seconds(1))
        .unwrap();
    assert_eq!(state.attempts, 0);
    assert_eq!(
        p.verify(&secret(), "u", code.as_str(), &state, t0()).result,
        Ok(())
    );
}

#[test]
fn lifetimes_per_purpose() {
    for (p, life) in [
        (CodePolicy::sign_up(), 86_400),
        (CodePolicy::email_change(), 86_400),
        (CodePolicy::password_reset(), 3_600),
        (CodePolicy::password_reset().with_lifetime_secs(600), 600),
    ] {
        assert_eq!(p.max_attempts, 5);
        let (state, code) = p.issue(&secret(), "u", None, t0()).unwrap();
        assert_eq!(p.expires_at(&state), t0() + TimeDelta::seconds(life));
        let just_before = t0() + TimeDelta::seconds(life - 1);
        assert_eq!(
            p.verify(&secret(), "u", code.as_str(), &state, just_before)
                .result,
            Ok(())
        );
        let at = t0() + TimeDelta::seconds(life);
        let v = p.verify(&secret(), "u", code.as_str(), &state, at);
        assert_eq!(v.result, Err(CodeRejection::Expired));
        assert_eq!(v.state, state);
    }
}

#[test]
fn issue_time_is_whole_seconds() {
    let p = CodePolicy::sign_up();
    let now = t0() + TimeDelta::milliseconds(999);
    let (state, _) = p.issue(&secret(), "u", None, now).unwrap();
    assert_eq!(state.issued_at, t0());
}

#[test]
fn clock_skew_tolerance() {
    let p = CodePolicy::sign_up();
    let (state, code) = p.issue(&secret(), "u", None, t0()).unwrap();
    let ok = p.verify(
        &secret(),
        "u",
        code.as_str(),
        &state,
        t0() - TimeDelta::seconds(300),
    );
    assert_eq!(ok.result, Ok(()));
    let far = p.verify(
        &secret(),
        "u",
        code.as_str(),
        &state,
        t0() - TimeDelta::seconds(301),
    );
    assert_eq!(far.result, Err(CodeRejection::Expired));
}

#[test]
fn latest_only_with_superseded_detection() {
    let p = CodePolicy::email_change();
    let mut codes = Vec::new();
    let mut state = None;
    for i in 0..6 {
        let (s, c) = p
            .issue(&secret(), "u", state.as_ref(), t0() + TimeDelta::seconds(i))
            .unwrap();
        codes.push(c);
        state = Some(s);
    }
    let state = state.unwrap();
    assert_eq!(state.generation, 6);
    let now = t0() + TimeDelta::seconds(10);
    // Generations 2..5 are recognised as superseded; generation 1 is beyond
    // the look-back and reads as wrong. Each costs an attempt.
    for (i, code) in codes.iter().enumerate().take(5) {
        let generation = i as u32 + 1;
        let v = p.verify(&secret(), "u", code.as_str(), &state, now);
        if generation + SUPERSEDED_LOOKBACK >= 6 {
            assert_eq!(
                v.result,
                Err(CodeRejection::Superseded { attempts_left: 4 })
            );
        } else {
            assert_eq!(v.result, Err(CodeRejection::Wrong { attempts_left: 4 }));
        }
        assert_eq!(v.state.attempts, 1);
    }
    assert_eq!(
        p.verify(&secret(), "u", codes[5].as_str(), &state, now)
            .result,
        Ok(())
    );
}

#[test]
fn a_lost_state_starts_a_new_series_with_new_codes() {
    let p = CodePolicy::sign_up();
    let (a, code_a) = p.issue(&secret(), "u", None, t0()).unwrap();
    let (b, code_b) = p
        .issue(&secret(), "u", None, t0() + TimeDelta::seconds(1))
        .unwrap();
    assert_eq!((a.generation, b.generation), (1, 1));
    assert_ne!(a.series, b.series);
    assert_ne!(code_a.as_str(), code_b.as_str());
    // A state at the last generation rolls over into a new series.
    let last = CodeState {
        generation: u32::MAX,
        ..a
    };
    let (c, _) = p
        .issue(&secret(), "u", Some(&last), t0() + TimeDelta::seconds(2))
        .unwrap();
    assert_eq!(c.generation, 1);
    assert_eq!(c.series, a.series + 2);
}

#[test]
fn codes_differ_by_purpose_and_subject() {
    let s = secret();
    let (_, a) = CodePolicy::sign_up().issue(&s, "u", None, t0()).unwrap();
    let (_, b) = CodePolicy::email_change()
        .issue(&s, "u", None, t0())
        .unwrap();
    let (_, c) = CodePolicy::sign_up().issue(&s, "v", None, t0()).unwrap();
    assert_ne!(a.as_str(), b.as_str());
    assert_ne!(a.as_str(), c.as_str());
}

#[test]
fn secrets_are_checked_and_redacted() {
    let err = CodeSecret::new(&[1; 31]).unwrap_err();
    assert_eq!(
        err,
        CodeError::SecretTooShort {
            min: 32,
            actual: 31
        }
    );
    assert_eq!(err.code(), "secret.too_short");
    let s = CodeSecret::new(&[0xAB; 32]).unwrap();
    assert_eq!(format!("{s:?}"), "CodeSecret(<redacted>)");
    let (_, code) = CodePolicy::sign_up().issue(&s, "u", None, t0()).unwrap();
    assert_eq!(format!("{code:?}"), "OneTimeCode(<redacted>)");
}

#[test]
fn rejections_are_coded() {
    let all = [
        (CodeRejection::Wrong { attempts_left: 3 }, "code.wrong"),
        (
            CodeRejection::Superseded { attempts_left: 3 },
            "code.superseded",
        ),
        (CodeRejection::Expired, "code.expired"),
        (CodeRejection::TooManyAttempts, "code.too_many_attempts"),
        (CodeRejection::AlreadyUsed, "code.already_used"),
        (CodeRejection::Malformed, "code.malformed"),
    ];
    for (r, code) in all {
        assert_eq!(r.code(), code);
        assert!(!r.message_en().is_empty());
        assert!(!r.message_ja().is_empty());
    }
    assert_eq!(
        CodeRejection::Wrong { attempts_left: 3 }.params(),
        vec![("attempts_left", "3".to_owned())]
    );
}

#[test]
fn state_encodings() {
    let state = CodeState {
        series: 1_743_498_000,
        generation: 3,
        issued_at: t0(),
        attempts: 2,
        used: false,
    };
    assert_eq!(state.encode(), "c1.1743498000.3.1743498000.2.0");
    assert_eq!(CodeState::decode(&state.encode()).unwrap(), state);
    assert_eq!(state.to_bytes().len(), 22);
    assert_eq!(CodeState::from_bytes(&state.to_bytes()).unwrap(), state);
    let json = serde_json::to_string(&state).unwrap();
    assert_eq!(serde_json::from_str::<CodeState>(&json).unwrap(), state);
    for bad in [
        "",
        "c1",
        "c2.1.1.1.0.0",
        "c1.1.0.1.0.0",
        "c1.1.1.1.0.2",
        "c1.01.1.1.0.0",
        "c1.1.1.-0.0.0",
        "c1.4294967296.1.1.0.0",
        "c1.1.1.99999999999999999.0.0",
        "c1.1.1.1.0.0.",
    ] {
        let err = CodeState::decode(bad).unwrap_err();
        assert_eq!(err.code(), "code.malformed_state", "{bad:?}");
    }
    let mut bytes = state.to_bytes();
    bytes[21] = 2;
    assert!(CodeState::from_bytes(&bytes).is_err());
    assert!(CodeState::from_bytes(&bytes[..21]).is_err());
}

proptest! {
    #[test]
    fn only_the_latest_code_verifies(n in 1usize..8, subject in "[a-z0-9@.]{1,20}", gap in 0i64..100) {
        let p = CodePolicy::sign_up();
        let mut state = None;
        let mut codes = Vec::new();
        for i in 0..n {
            let (s, c) = p.issue(&secret(), &subject, state.as_ref(), t0() + TimeDelta::seconds(i as i64 * gap)).unwrap();
            state = Some(s);
            codes.push(c);
        }
        let state = state.unwrap();
        let now = t0() + TimeDelta::seconds(n as i64 * gap);
        let latest = codes.last().unwrap().as_str().to_owned();
        for c in &codes[..n - 1] {
            if c.as_str() != latest {
                prop_assert!(p.verify(&secret(), &subject, c.as_str(), &state, now).result.is_err());
            }
        }
        prop_assert!(p.verify(&secret(), &subject, &latest, &state, now).result.is_ok());
    }

    #[test]
    fn expiry_is_exact(life in 1u64..200_000, dt in 0i64..400_000) {
        let p = CodePolicy::sign_up().with_lifetime_secs(life);
        let (state, code) = p.issue(&secret(), "u", None, t0()).unwrap();
        let v = p.verify(&secret(), "u", code.as_str(), &state, t0() + TimeDelta::seconds(dt));
        if (dt as u64) < life {
            prop_assert_eq!(v.result, Ok(()));
        } else {
            prop_assert_eq!(v.result, Err(CodeRejection::Expired));
        }
    }

    #[test]
    fn verify_never_panics(typed in "\\PC{0,40}", attempts in any::<u32>(), generation in 1u32.., series in any::<u32>(), secs in -100_000_000_000i64..100_000_000_000, used in any::<bool>()) {
        let state = CodeState { series, generation, issued_at: DateTime::from_timestamp(secs, 0).unwrap(), attempts, used };
        let p = CodePolicy::sign_up();
        let v = p.verify(&secret(), "u", &typed, &state, t0());
        prop_assert!(v.state.attempts >= state.attempts);
        prop_assert_eq!(CodeState::decode(&state.encode()).unwrap(), state);
        prop_assert_eq!(CodeState::from_bytes(&state.to_bytes()).unwrap(), state);
    }

    #[test]
    fn decode_never_panics(text in "\\PC{0,60}", near in "c1(\\.[0-9-]{0,12}){5}", bytes in proptest::collection::vec(any::<u8>(), 0..30)) {
        let _ = CodeState::decode(&text);
        if let Ok(s) = CodeState::decode(&near) {
            prop_assert_eq!(s.encode(), near);
        }
        let _ = CodeState::from_bytes(&bytes);
    }
}

#[test]
fn a_state_built_from_fields_is_checked_like_its_encoding() {
    use chrono::TimeZone;
    let t = chrono::Utc.with_ymd_and_hms(2025, 4, 1, 9, 0, 0).unwrap();
    let state = regcore::code::CodeState::new(7, 3, t, 1, false).unwrap();
    assert_eq!(regcore::code::CodeState::decode(&state.encode()), Ok(state));
    for (generation, at, reason) in [
        (0, t, "generation"),
        (1, t + chrono::Duration::milliseconds(1), "issued_at"),
    ] {
        let err = regcore::code::CodeState::new(7, generation, at, 0, false).unwrap_err();
        assert_eq!(err, regcore::code::CodeError::MalformedState { reason });
    }
}

#[test]
fn a_store_keeps_a_code_state_one_day_past_expiry() {
    use chrono::TimeZone;
    let t = chrono::Utc.with_ymd_and_hms(2025, 4, 1, 9, 0, 0).unwrap();
    let policy = regcore::code::CodePolicy::password_reset();
    let state = regcore::code::CodeState::new(1, 1, t, 0, false).unwrap();
    assert_eq!(
        policy.retain_until(&state),
        policy.expires_at(&state) + chrono::Duration::days(1)
    );
}

// --- subject length: capped like a link's subject, never the LP panic ---------

#[test]
fn subject_longer_than_255_bytes_is_a_coded_error() {
    let p = CodePolicy::sign_up();
    let fits = "a".repeat(255);
    assert!(p.issue(&secret(), &fits, None, t0()).is_ok());
    assert!(derive_key(&secret(), CodePurpose::SignUp, &fits).is_ok());
    // 256 bytes, and 128 two-byte characters (bytes count, not characters).
    for long in ["a".repeat(256), "é".repeat(128), "x".repeat(1 << 20)] {
        let err = p.issue(&secret(), &long, None, t0()).unwrap_err();
        assert_eq!(err, CodeError::SubjectTooLong { max: 255 });
        assert_eq!(err.code(), "code.subject_too_long");
        assert_eq!(err.kind().as_str(), "invalid_input");
        assert_eq!(
            derive_key(&secret(), CodePurpose::SignUp, &long).unwrap_err(),
            CodeError::SubjectTooLong { max: 255 }
        );
        let (state, code) = p.issue(&secret(), "u", None, t0()).unwrap();
        let v = p.verify(&secret(), &long, code.as_str(), &state, t0());
        assert_eq!(v.result, Err(CodeRejection::SubjectTooLong { max: 255 }));
        assert_eq!(v.result.unwrap_err().code(), "code.subject_too_long");
        assert_eq!(v.state, state, "costs nothing");
    }
}
