//! Stored lockout state: text (`decode`) and binary (`from_bytes`) forms,
//! then the state machine on whatever decoded.
//!
//! Input bytes: policy selector, form selector, start instant (i64 ms,
//! anywhere in chrono's range), op count (≤ 8) and ops (kind byte + i32
//! seconds to move the clock, either direction), then the stored state.
//!
//! Asserts: errors are `lockout.malformed_state`; decoding accepts only the
//! canonical form (decode → encode gives the input back, both forms); every
//! state produced re-encodes and decodes to itself; a lock never lasts
//! longer than the policy's cap from now; a refused attempt never lengthens
//! a lock (unless the policy counts locked attempts) and a correct password
//! never unlocks early; `attempt` agrees with `check`.
#![no_main]

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use libfuzzer_sys::fuzz_target;
use regcore::lockout::{Decision, LockoutPolicy, LockoutState, Tier};
use regcore_fuzz::{Bytes, assert_coded, instant_ms};

fn policies() -> Vec<LockoutPolicy> {
    let mut counting = LockoutPolicy::ups_site();
    counting.count_locked_attempts = true;
    vec![
        LockoutPolicy::ups_site(),
        LockoutPolicy::device_entry(),
        LockoutPolicy::aspnet_identity(),
        LockoutPolicy::devise(),
        LockoutPolicy::keycloak(),
        LockoutPolicy::keycloak_linear(3, 60, 900, 3_600),
        LockoutPolicy::tiers(vec![
            Tier {
                failures: 3,
                lock_secs: 60,
            },
            Tier {
                failures: 5,
                lock_secs: 600,
            },
        ]),
        counting,
    ]
}

fn round_trips(s: &LockoutState) {
    let text = s.encode();
    assert_eq!(s.to_string(), text);
    assert_eq!(LockoutState::decode(&text), Ok(*s), "{text}");
    let bytes = s.to_bytes();
    assert!((6..=22).contains(&bytes.len()));
    assert_eq!(LockoutState::from_bytes(&bytes), Ok(*s));
}

fn retry(d: Decision) -> Option<Duration> {
    match d {
        Decision::Allowed => None,
        Decision::Locked(l) => Some(l.retry_after),
    }
}

fn step(policy: &LockoutPolicy, s: LockoutState, now: DateTime<Utc>, kind: u8) -> LockoutState {
    let cap = Duration::from_secs(policy.max_lock_secs);
    let before = s.check(policy, now);
    if let Some(r) = retry(before) {
        assert!(r <= cap, "locked for {r:?} > cap {cap:?}");
        assert!(r > Duration::ZERO);
    }
    if let Decision::Locked(l) = before {
        assert_coded(&l, &["lockout.locked"]);
        assert!(l.until > now);
        assert!(l.retry_after_secs() <= policy.max_lock_secs);
    }
    match s.attempt(policy, now) {
        Ok(_) => assert_eq!(before, Decision::Allowed),
        Err(refusal) => {
            assert!(matches!(before, Decision::Locked(_)));
            assert!(refusal.locked.retry_after <= cap);
            if let Some(n) = refusal.new_state {
                round_trips(&n);
            }
        }
    }
    let next = match kind % 3 {
        0 => s.record_failure(policy, now),
        1 => s.record_success(policy, now),
        _ => return s,
    };
    round_trips(&next);
    let after = next.check(policy, now);
    if let Some(r) = retry(after) {
        assert!(r <= cap, "locked for {r:?} > cap {cap:?} after {kind}");
    }
    match (kind % 3, retry(before), retry(after)) {
        // A correct password while locked changes nothing that matters.
        (1, Some(b), a) => assert_eq!(a, Some(b), "success unlocked early"),
        (1, None, a) => {
            assert_eq!(a, None);
            assert_eq!(next.failures, 0);
        }
        (0, Some(b), a) if !policy.count_locked_attempts => {
            assert_eq!(a, Some(b), "refused failure changed the lock")
        }
        _ => {}
    }
    next
}

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let policies = policies();
    let policy = &policies[usize::from(b.u8()) % policies.len()];
    let binary = b.u8() & 1 == 1;
    let mut now = instant_ms(b.i64());
    let ops: Vec<(u8, i32)> = (0..b.u8() % 9).map(|_| (b.u8(), b.u32() as i32)).collect();
    let stored = b.rest();

    let decoded = if binary {
        let r = LockoutState::from_bytes(stored);
        if let Ok(s) = &r {
            assert_eq!(s.to_bytes(), stored, "non-canonical binary accepted");
        }
        r
    } else {
        let text = String::from_utf8_lossy(stored);
        let r = LockoutState::decode(&text);
        if let Ok(s) = &r {
            assert_eq!(s.encode(), text, "non-canonical text accepted");
        }
        r
    };
    let mut state = match decoded {
        Ok(s) => s,
        Err(e) => {
            assert_coded(&e, &["lockout.malformed_state"]);
            return;
        }
    };
    round_trips(&state);
    state = step(policy, state, now, 2);
    for (kind, delta) in ops {
        now = now
            .checked_add_signed(TimeDelta::seconds(i64::from(delta)))
            .unwrap_or(now);
        state = step(policy, state, now, kind);
    }
});
