//! One-time code state (text and binary forms) and verification of
//! arbitrary typed input against whatever decoded.
//!
//! Input bytes: form selector, policy selector, clock offset from the
//! state's issue time (i32 seconds), typed length + typed bytes, then the
//! stored state.
//!
//! Asserts: errors are `code.malformed_state`; only canonical forms decode
//! (decode → encode gives the input back); verify's state transitions are
//! exactly "unchanged", "one more attempt" or "spent"; the current code
//! (also typed full-width with a hyphen) is accepted exactly when the state
//! is live; the previous generation's code is reported superseded; a
//! re-issue starts a fresh, verifiable code in the same series.
#![no_main]

use chrono::{DateTime, TimeDelta, Utc};
use libfuzzer_sys::fuzz_target;
use regcore::code::{
    CodePolicy, CodeRejection, CodeSecret, CodeState, SUPERSEDED_LOOKBACK, derive_key, hotp6,
};
use regcore_fuzz::{Bytes, assert_coded};

const SUBJECT: &str = "user-42";

fn fullwidth(ascii: &str) -> String {
    ascii
        .chars()
        .map(|c| char::from_u32(u32::from(c) + 0xFF10 - 0x30).unwrap_or(c))
        .collect()
}

fn live(policy: &CodePolicy, s: &CodeState, now: DateTime<Utc>) -> bool {
    !s.used && s.attempts < policy.max_attempts && !policy.is_expired(s, now)
}

fn check_transition(
    policy: &CodePolicy,
    old: &CodeState,
    typed: &str,
    now: DateTime<Utc>,
    secret: &CodeSecret,
) {
    let v = policy.verify(secret, SUBJECT, typed, old, now);
    match v.result {
        Ok(()) => {
            assert!(live(policy, old, now));
            assert_eq!(v.state, CodeState { used: true, ..*old });
        }
        Err(r) => {
            assert_coded(&r, &["code."]);
            match r {
                CodeRejection::Wrong { attempts_left }
                | CodeRejection::Superseded { attempts_left } => {
                    assert!(live(policy, old, now));
                    let attempts = old.attempts + 1;
                    assert_eq!(v.state, CodeState { attempts, ..*old });
                    assert_eq!(attempts_left, policy.max_attempts.saturating_sub(attempts));
                }
                CodeRejection::AlreadyUsed => {
                    assert!(old.used);
                    assert_eq!(v.state, *old);
                }
                CodeRejection::TooManyAttempts => {
                    assert!(old.attempts >= policy.max_attempts);
                    assert_eq!(v.state, *old);
                }
                CodeRejection::Expired => {
                    assert!(policy.is_expired(old, now));
                    assert_eq!(v.state, *old);
                }
                _ => assert_eq!(v.state, *old),
            }
        }
    }
    let again = CodeState::decode(&v.state.encode());
    assert_eq!(again, Ok(v.state));
}

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let binary = b.u8() & 1 == 1;
    let policy = match b.u8() % 3 {
        0 => CodePolicy::sign_up(),
        1 => CodePolicy::email_change(),
        _ => CodePolicy::password_reset(),
    };
    let delta = b.u32() as i32;
    let typed_len = usize::from(b.u8());
    let typed: Vec<u8> = (0..typed_len).map(|_| b.u8()).collect();
    let typed = String::from_utf8_lossy(&typed).into_owned();
    let stored = b.rest();

    let decoded = if binary {
        let r = CodeState::from_bytes(stored);
        if let Ok(s) = &r {
            assert_eq!(s.to_bytes(), stored, "non-canonical binary accepted");
        }
        r
    } else {
        let text = String::from_utf8_lossy(stored);
        let r = CodeState::decode(&text);
        if let Ok(s) = &r {
            assert_eq!(s.encode(), text, "non-canonical text accepted");
        }
        r
    };
    let state = match decoded {
        Ok(s) => s,
        Err(e) => {
            assert_coded(&e, &["code.malformed_state"]);
            return;
        }
    };
    assert!(state.generation >= 1);
    assert_eq!(CodeState::from_bytes(&state.to_bytes()), Ok(state));
    assert_eq!(CodeState::decode(&state.encode()), Ok(state));

    let secret = CodeSecret::new(&[7u8; 32]).expect("32 bytes");
    let now = state
        .issued_at
        .checked_add_signed(TimeDelta::seconds(i64::from(delta)))
        .unwrap_or(state.issued_at);
    let _ = policy.expires_at(&state);

    check_transition(&policy, &state, &typed, now, &secret);

    let key = derive_key(&secret, policy.purpose, SUBJECT).expect("SUBJECT is short");
    let current = format!("{:06}", hotp6(key.as_slice(), state.counter()));
    let is_live = live(&policy, &state, now);
    for form in [
        current.clone(),
        fullwidth(&current[..3]) + "-" + &current[3..],
    ] {
        let v = policy.verify(&secret, SUBJECT, &form, &state, now);
        assert_eq!(v.result.is_ok(), is_live, "{form} on {state:?} at {now}");
        check_transition(&policy, &state, &form, now, &secret);
    }
    if state.generation > 1 && is_live {
        let counter = (u64::from(state.series) << 32) | u64::from(state.generation - 1);
        let previous = format!("{:06}", hotp6(key.as_slice(), counter));
        // Codes older than the current one are recognised (one in 10^6
        // coincides with the current code and is simply accepted).
        if previous != current && SUPERSEDED_LOOKBACK >= 1 {
            let v = policy.verify(&secret, SUBJECT, &previous, &state, now);
            assert!(
                matches!(v.result, Err(CodeRejection::Superseded { .. })),
                "{v:?}"
            );
        }
    }

    let (next, code) = policy
        .issue(&secret, SUBJECT, Some(&state), now)
        .expect("SUBJECT is short");
    if state.generation < u32::MAX {
        assert_eq!(
            (next.series, next.generation),
            (state.series, state.generation + 1)
        );
    } else {
        assert_eq!(next.generation, 1);
    }
    assert_eq!((next.attempts, next.used), (0, false));
    assert_eq!(CodeState::decode(&next.encode()), Ok(next));
    let v = policy.verify(&secret, SUBJECT, code.as_str(), &next, now);
    assert_eq!(v.result, Ok(()), "a fresh code verifies at issue time");
});
