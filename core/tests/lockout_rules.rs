//! Lockout rules (docs/lockout.md): schedules, presets, resets, refusals, overflow,
//! clock going backwards, encodings and compare-and-set under concurrency.
// Tests may unwrap, cast and do plain arithmetic on values they construct.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    clippy::cast_lossless
)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use proptest::prelude::*;
use regcore::Coded;
use regcore::lockout::{
    AfterLock, Decision, LockoutError, LockoutPolicy, LockoutState, QuietReset, Schedule, Tier,
};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 4, 1, 9, 0, 0).unwrap()
}

fn secs(s: i64) -> TimeDelta {
    TimeDelta::seconds(s)
}

/// Fail `n` times, each attempt made exactly when the previous lock ends.
/// Returns the lock length (seconds) imposed by each failure.
fn walk(policy: &LockoutPolicy, n: u32) -> (Vec<u64>, LockoutState, DateTime<Utc>) {
    let mut state = LockoutState::default();
    let mut now = t0();
    let mut locks = Vec::new();
    for _ in 0..n {
        let attempt = state.attempt(policy, now).expect("lock has ended");
        state = attempt.failure();
        let lock = match state.check(policy, now) {
            Decision::Allowed => 0,
            Decision::Locked(l) => l.retry_after.as_secs(),
        };
        locks.push(lock);
        now += secs(lock as i64);
    }
    (locks, state, now)
}

#[test]
fn ups_site_walk_1_to_20() {
    let (locks, state, _) = walk(&LockoutPolicy::ups_site(), 20);
    let expected: Vec<u64> = vec![
        0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900, 900, 900,
    ];
    assert_eq!(locks, expected);
    assert_eq!(state.failures, 20);
}

#[test]
fn ups_site_resets_on_success_after_lock_expired() {
    let policy = LockoutPolicy::ups_site();
    let (_, state, now) = walk(&policy, 8); // 8th failure locked 8 s, now = its end
    let state = state.attempt(&policy, now).unwrap().succeeded();
    assert_eq!(state.failures, 0);
    // Next failures start from scratch: four free again.
    let (mut s, mut t) = (state, now);
    for _ in 0..4 {
        s = s.record_failure(&policy, t);
        assert_eq!(s.check(&policy, t), Decision::Allowed);
        t += secs(1);
    }
    s = s.record_failure(&policy, t);
    assert!(
        matches!(s.check(&policy, t), Decision::Locked(l) if l.retry_after == Duration::from_secs(1))
    );
}

#[test]
fn ups_site_resets_after_15_quiet_minutes_following_a_lock() {
    let policy = LockoutPolicy::ups_site();
    let (_, state, lock_end) = walk(&policy, 10); // 10th locked 32 s; lock_end is its end
    // 14:59 of quiet after the lock ended: still counting.
    let s = state.record_failure(&policy, lock_end + secs(899));
    assert_eq!(s.failures, 11);
    // 15:00 of quiet after the lock ended: reset, this failure is the first.
    let s = state.record_failure(&policy, lock_end + secs(900));
    assert_eq!(s.failures, 1);
    assert_eq!(s.check(&policy, lock_end + secs(900)), Decision::Allowed);
}

#[test]
fn ups_site_quiet_time_does_not_forget_failures_below_threshold() {
    let policy = LockoutPolicy::ups_site();
    let mut s = LockoutState::default();
    for i in 0..4 {
        s = s.record_failure(&policy, t0() + secs(i * 86_400));
    }
    assert_eq!(s.failures, 4);
    let later = t0() + secs(10 * 86_400);
    s = s.record_failure(&policy, later);
    assert_eq!(s.failures, 5);
    assert!(matches!(s.check(&policy, later), Decision::Locked(_)));
}

#[test]
fn while_locked_every_attempt_is_refused_and_changes_nothing() {
    let policy = LockoutPolicy::ups_site();
    let (_, state, _) = walk(&policy, 13); // last failure locked 256 s
    let locked_at = state.last_attempt.unwrap();
    for offset in [0, 1, 100, 255] {
        let now = locked_at + secs(offset);
        let refusal = state.attempt(&policy, now).unwrap_err();
        assert_eq!(refusal.new_state, None);
        assert_eq!(
            refusal.locked.retry_after,
            Duration::from_secs((256 - offset) as u64)
        );
        // The low-level calls are no-ops while locked too: a correct password
        // does not unlock, a wrong one does not lengthen.
        assert_eq!(state.record_success(&policy, now), state);
        assert_eq!(state.record_failure(&policy, now), state);
    }
    // At the end of the lock the next attempt is allowed and counts as #13.
    let after = state
        .attempt(&policy, locked_at + secs(256))
        .unwrap()
        .failure();
    assert_eq!(after.failures, 14);
}

#[test]
fn counting_locked_attempts_when_the_policy_says_so() {
    let policy = LockoutPolicy {
        count_locked_attempts: true,
        ..LockoutPolicy::ups_site()
    };
    let (_, state, _) = walk(&policy, 6); // locked 2 s
    let now = state.last_attempt.unwrap() + secs(1);
    let refusal = state.attempt(&policy, now).unwrap_err();
    let stored = refusal.new_state.expect("counted");
    assert_eq!(stored.failures, 7);
    assert_eq!(refusal.locked.retry_after, Duration::from_secs(4));
}

#[test]
fn locked_is_coded() {
    let policy = LockoutPolicy::ups_site();
    let (_, state, _) = walk(&policy, 5);
    let now = state.last_attempt.unwrap() + TimeDelta::milliseconds(200);
    let refusal = state.attempt(&policy, now).unwrap_err();
    assert_eq!(refusal.locked.code(), "lockout.locked");
    // 0.8 s left is shown as 1 s, never 0.
    assert_eq!(
        refusal.locked.params(),
        vec![("retry_after_secs", "1".to_owned())]
    );
    assert!(refusal.locked.message_ja().contains("1秒"));
}

#[test]
fn device_entry_preset() {
    let (locks, _, _) = walk(&LockoutPolicy::device_entry(), 12);
    assert_eq!(
        locks,
        vec![0, 0, 30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    );
}

#[test]
fn device_entry_keeps_counting_through_a_quiet_hour() {
    let policy = LockoutPolicy::device_entry();
    let (_, state, end) = walk(&policy, 5);
    assert_eq!(state.record_failure(&policy, end + secs(3600)).failures, 6);
    assert_eq!(
        state.record_failure(&policy, end + secs(86_400)).failures,
        1
    );
}

#[test]
fn keycloak_multiple_matches_its_documentation_table() {
    // Max Login Failures 5, Wait Increment 30 s (Keycloak server admin guide).
    let policy = LockoutPolicy::keycloak_multiple(5, 30, 900, 43_200);
    let (locks, _, _) = walk(&policy, 10);
    assert_eq!(locks, vec![0, 0, 0, 0, 30, 30, 30, 30, 30, 60]);
}

#[test]
fn keycloak_linear_matches_its_documentation_table() {
    let policy = LockoutPolicy::keycloak_linear(5, 30, 900, 43_200);
    let (locks, _, _) = walk(&policy, 10);
    assert_eq!(locks, vec![0, 0, 0, 0, 30, 60, 90, 120, 150, 180]);
    // Max Wait caps it.
    let capped = LockoutPolicy::keycloak_linear(5, 30, 100, 43_200);
    assert_eq!(capped.lock_secs(10), 100);
}

#[test]
fn keycloak_failure_reset_time_is_measured_between_failures() {
    let policy = LockoutPolicy::keycloak_multiple(5, 30, 900, 600);
    let s = LockoutState::default().record_failure(&policy, t0());
    assert_eq!(s.record_failure(&policy, t0() + secs(600)).failures, 2);
    assert_eq!(s.record_failure(&policy, t0() + secs(601)).failures, 1);
}

#[test]
fn keycloak_defaults() {
    let policy = LockoutPolicy::keycloak();
    assert_eq!(policy.lock_secs(29), 0);
    assert_eq!(policy.lock_secs(30), 60);
    assert_eq!(policy.lock_secs(60), 120);
    assert_eq!(policy.lock_secs(30 * 100), 900);
}

#[test]
fn aspnet_identity_locks_5_minutes_then_counts_again() {
    let policy = LockoutPolicy::aspnet_identity();
    let (locks, state, end) = walk(&policy, 5);
    assert_eq!(locks, vec![0, 0, 0, 0, 300]);
    // After the lock: five more tries before the next lock.
    let mut s = state;
    for i in 0..4 {
        s = s.record_failure(&policy, end + secs(i));
        assert_eq!(s.failures, (i + 1) as u32);
        assert_eq!(s.check(&policy, end + secs(i)), Decision::Allowed);
    }
    s = s.record_failure(&policy, end + secs(4));
    assert!(
        matches!(s.check(&policy, end + secs(4)), Decision::Locked(l) if l.retry_after == Duration::from_secs(300))
    );
}

#[test]
fn devise_locks_an_hour_after_20() {
    let policy = LockoutPolicy::devise();
    let (locks, state, end) = walk(&policy, 20);
    assert!(locks[..19].iter().all(|l| *l == 0));
    assert_eq!(locks[19], 3600);
    assert_eq!(state.record_failure(&policy, end).failures, 1);
}

#[test]
fn axes_style_tiers() {
    let policy = LockoutPolicy::tiers(vec![
        Tier {
            failures: 3,
            lock_secs: 60,
        },
        Tier {
            failures: 6,
            lock_secs: 600,
        },
        Tier {
            failures: 10,
            lock_secs: 86_400,
        },
    ]);
    policy.validate().unwrap();
    let (locks, _, _) = walk(&policy, 11);
    assert_eq!(
        locks,
        vec![0, 0, 60, 60, 60, 600, 600, 600, 600, 86_400, 86_400]
    );
}

#[test]
fn presets_are_valid_and_round_trip_through_serde() {
    for policy in [
        LockoutPolicy::ups_site(),
        LockoutPolicy::device_entry(),
        LockoutPolicy::aspnet_identity(),
        LockoutPolicy::devise(),
        LockoutPolicy::keycloak(),
        LockoutPolicy::keycloak_linear(3, 10, 60, 3600),
    ] {
        policy.validate().unwrap();
        let json = serde_json::to_string(&policy).unwrap();
        let back: LockoutPolicy = serde_json::from_str(&json).unwrap();
        assert_eq!(back, policy);
    }
    let json = serde_json::to_value(LockoutPolicy::ups_site()).unwrap();
    assert_eq!(json["schedule"]["kind"], "exponential");
    assert_eq!(json["quiet_reset"]["kind"], "after_lock_ends");
}

#[test]
fn validate_names_the_problem() {
    let cases = [
        (
            LockoutPolicy {
                threshold: 0,
                ..LockoutPolicy::ups_site()
            },
            "threshold_zero",
        ),
        (
            LockoutPolicy {
                schedule: Schedule::Exponential {
                    base_secs: 1,
                    factor: 0,
                },
                ..LockoutPolicy::ups_site()
            },
            "factor_zero",
        ),
        (
            LockoutPolicy {
                quiet_reset: Some(QuietReset::SinceLastFailure { quiet_secs: 0 }),
                ..LockoutPolicy::ups_site()
            },
            "quiet_zero",
        ),
        (
            LockoutPolicy::tiers(vec![
                Tier {
                    failures: 5,
                    lock_secs: 10,
                },
                Tier {
                    failures: 3,
                    lock_secs: 5,
                },
            ]),
            "tiers_unsorted",
        ),
    ];
    for (policy, reason) in cases {
        let err = policy.validate().unwrap_err();
        assert_eq!(err, LockoutError::InvalidPolicy { reason });
        assert_eq!(err.code(), "lockout.invalid_policy");
    }
}

#[test]
fn never_overflows_at_type_limits() {
    let huge = LockoutPolicy {
        threshold: 1,
        schedule: Schedule::Exponential {
            base_secs: u64::MAX,
            factor: u32::MAX,
        },
        max_lock_secs: u64::MAX,
        quiet_reset: Some(QuietReset::AfterLockEnds {
            quiet_secs: u64::MAX,
        }),
        after_lock: AfterLock::Continue,
        count_locked_attempts: true,
    };
    assert_eq!(huge.lock_secs(u32::MAX), u64::MAX);
    let s = LockoutState {
        failures: u32::MAX,
        ..LockoutState::default()
    };
    let s = s.record_failure(&huge, t0());
    assert_eq!(s.failures, u32::MAX);
    // The lock end is clamped to chrono's maximum, not wrapped.
    let max_ms = DateTime::<Utc>::MAX_UTC.timestamp_millis();
    assert_eq!(s.locked_until, DateTime::from_timestamp_millis(max_ms));
    assert!(matches!(s.check(&huge, t0()), Decision::Locked(_)));
    // Counting a locked attempt at the limit neither panics nor wraps.
    let refused = s.attempt(&huge, t0()).unwrap_err();
    assert_eq!(refused.new_state.unwrap().failures, u32::MAX);

    // Ups preset with millions of failures: cap holds.
    let ups = LockoutPolicy::ups_site();
    assert_eq!(ups.lock_secs(5_000_000), 900);
    assert_eq!(ups.lock_secs(u32::MAX), 900);
    // Extreme instants.
    let min = DateTime::<Utc>::MIN_UTC;
    let max = DateTime::<Utc>::MAX_UTC;
    for now in [min, max] {
        let s = walk_at(&huge, now, 3);
        let _ = s.check(&huge, now);
        let _ = s.check(&ups, now);
        let _ = LockoutState::decode(&s.encode());
    }
    // Every schedule with zero/absurd values is total.
    for schedule in [
        Schedule::KeycloakMultiple {
            wait_increment_secs: u64::MAX,
        },
        Schedule::KeycloakLinear {
            wait_increment_secs: u64::MAX,
        },
        Schedule::Fixed { lock_secs: 0 },
        Schedule::Tiers { tiers: vec![] },
    ] {
        let p = LockoutPolicy {
            threshold: 0,
            schedule,
            ..huge.clone()
        };
        for n in [0, 1, 2, u32::MAX] {
            let _ = p.lock_secs(n);
        }
    }
}

fn walk_at(policy: &LockoutPolicy, now: DateTime<Utc>, n: u32) -> LockoutState {
    let mut s = LockoutState::default();
    for _ in 0..n {
        s = s.record_failure(policy, now);
    }
    s
}

#[test]
fn clock_backwards_never_unlocks_early_and_never_locks_forever() {
    let policy = LockoutPolicy::ups_site();
    let (_, state, _) = walk(&policy, 14); // 512 s lock
    let locked_at = state.last_attempt.unwrap();
    // The clock jumps back an hour, then 50 years (an RTC reset).
    for back in [secs(3600), secs(50 * 365 * 86_400)] {
        let now = locked_at - back;
        match state.check(&policy, now) {
            Decision::Locked(l) => assert_eq!(l.retry_after, Duration::from_secs(512)),
            Decision::Allowed => panic!("unlocked early"),
        }
        let refusal = state.attempt(&policy, now).unwrap_err();
        let rebased = refusal.new_state.expect("rebased onto the new clock");
        assert_eq!(rebased.failures, 14);
        assert_eq!(rebased.last_attempt, Some(now));
        // Locked for exactly the lock length from the new clock, then free.
        assert!(matches!(
            rebased.check(&policy, now + secs(511)),
            Decision::Locked(_)
        ));
        assert_eq!(rebased.check(&policy, now + secs(512)), Decision::Allowed);
        // The failure recorded then continues the count.
        let next = rebased.record_failure(&policy, now + secs(512));
        assert_eq!(next.failures, 15);
        assert_eq!(policy.lock_secs(next.failures), 900);
    }
    // Far back while the 2 s lock has ended on the old clock: time stood
    // still, so the lock still holds for its 2 s, and no quiet reset happens.
    let (_, state, end) = walk(&policy, 6);
    let back = end - secs(10_000);
    let s = state.record_failure(&policy, back);
    assert_eq!((s.failures, s.last_attempt), (6, Some(back)));
    assert!(
        matches!(s.check(&policy, back), Decision::Locked(l) if l.retry_after == Duration::from_secs(2))
    );
    let s = s.record_failure(&policy, back + secs(2));
    assert_eq!(s.failures, 7);
}

#[test]
fn a_hand_made_state_is_never_locked_beyond_the_cap() {
    let policy = LockoutPolicy::ups_site();
    let state = LockoutState {
        failures: 3,
        locked_until: Some(t0() + secs(365 * 86_400)),
        last_attempt: Some(t0()),
    };
    match state.check(&policy, t0()) {
        Decision::Locked(l) => assert_eq!(l.retry_after, Duration::from_secs(900)),
        Decision::Allowed => panic!("expected lock"),
    }
    assert_eq!(state.check(&policy, t0() + secs(900)), Decision::Allowed);
}

#[test]
fn text_and_binary_encodings() {
    let policy = LockoutPolicy::ups_site();
    let (_, state, _) = walk(&policy, 6);
    let text = state.encode();
    assert_eq!(
        text,
        format!(
            "l1.6.{}.{}",
            state.locked_until.unwrap().timestamp_millis(),
            state.last_attempt.unwrap().timestamp_millis()
        )
    );
    assert_eq!(LockoutState::decode(&text).unwrap(), state);
    assert_eq!(
        LockoutState::decode("l1.0..").unwrap(),
        LockoutState::default()
    );
    let bytes = state.to_bytes();
    assert_eq!(bytes.len(), 22);
    assert_eq!(LockoutState::from_bytes(&bytes).unwrap(), state);
    assert_eq!(LockoutState::default().to_bytes(), vec![1, 0, 0, 0, 0, 0]);
    let negative = LockoutState {
        failures: 1,
        locked_until: None,
        last_attempt: Some(DateTime::from_timestamp_millis(-1500).unwrap()),
    };
    assert_eq!(negative.encode(), "l1.1..-1500");
    assert_eq!(LockoutState::decode("l1.1..-1500").unwrap(), negative);
}

#[test]
fn decode_rejects_non_canonical_and_garbage() {
    for bad in [
        "",
        "l1",
        "l1.",
        "l1.0.",
        "l2.0..",
        "L1.0..",
        "l1.00..",
        "l1.+1..",
        "l1.-1..",
        "l1.4294967296..",
        "l1.1.5.",
        "l1.1..-0",
        "l1.1..01",
        "l1.1.. 5",
        "l1.1..5.",
        "l1.1..99999999999999999999",
        "l1.1..9223372036854775807",
        "l1.1..１",
    ] {
        let err = LockoutState::decode(bad).unwrap_err();
        assert_eq!(err.code(), "lockout.malformed_state", "{bad:?}");
    }
    for bad in [
        &[][..],
        &[1],
        &[2, 0, 0, 0, 0, 0],
        &[1, 4, 0, 0, 0, 0],
        &[1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], // lock without attempt
        &[1, 2, 0, 0, 0, 0, 0, 0, 0, 0],             // truncated time
        &[1, 0, 0, 0, 0, 0, 0],                      // trailing byte
    ] {
        assert!(LockoutState::from_bytes(bad).is_err(), "{bad:?}");
    }
}

/// A shared store cell with compare-and-swap, as Redis WATCH/MULTI or an SQL
/// `UPDATE … WHERE state = :old` gives.
struct Cell(Mutex<String>);

impl Cell {
    fn load(&self) -> String {
        self.0.lock().expect("store lock not poisoned").clone()
    }
    fn compare_and_swap(&self, old: &str, new: String) -> bool {
        let mut guard = self.0.lock().expect("store lock not poisoned");
        if *guard == old {
            *guard = new;
            true
        } else {
            false
        }
    }
}

/// The documented recipe: read → decide → CAS write → on conflict retry.
/// Returns whether the attempt was allowed (and its failure recorded).
fn record_failure_cas(cell: &Cell, policy: &LockoutPolicy, now: DateTime<Utc>) -> bool {
    loop {
        let old = cell.load();
        let state = LockoutState::decode(&old).expect("the store holds encoded states");
        let (allowed, new) = match state.attempt(policy, now) {
            Ok(attempt) => (true, attempt.failure()),
            Err(refusal) => match refusal.new_state {
                Some(s) => (false, s),
                None => return false, // nothing to write
            },
        };
        std::thread::yield_now();
        if cell.compare_and_swap(&old, new.encode()) {
            return allowed;
        }
    }
}

#[test]
fn concurrent_writers_through_cas_lose_no_failure() {
    // A policy that never locks within the test: every failure must count.
    let policy = Arc::new(LockoutPolicy::fixed(1_000_000, 60));
    let cell = Arc::new(Cell(Mutex::new(LockoutState::default().encode())));
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let (cell, policy) = (Arc::clone(&cell), Arc::clone(&policy));
            std::thread::spawn(move || {
                for j in 0..250 {
                    let now = t0() + TimeDelta::milliseconds(i * 1000 + j);
                    assert!(record_failure_cas(&cell, &policy, now));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(LockoutState::decode(&cell.load()).unwrap().failures, 2000);
}

#[test]
fn concurrent_writers_respect_the_lock() {
    // 16 servers see failures for one account at the same instant: exactly
    // the 5 that won the race before the lock are recorded.
    let policy = Arc::new(LockoutPolicy::ups_site());
    let cell = Arc::new(Cell(Mutex::new(LockoutState::default().encode())));
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let (cell, policy) = (Arc::clone(&cell), Arc::clone(&policy));
            std::thread::spawn(move || {
                (0..20)
                    .filter(|_| record_failure_cas(&cell, &policy, t0()))
                    .count()
            })
        })
        .collect();
    let allowed: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    let state = LockoutState::decode(&cell.load()).unwrap();
    assert_eq!(allowed, 5);
    assert_eq!(state.failures, 5);
}

fn any_policy() -> impl Strategy<Value = LockoutPolicy> {
    prop_oneof![
        Just(LockoutPolicy::ups_site()),
        Just(LockoutPolicy::device_entry()),
        Just(LockoutPolicy::aspnet_identity()),
        Just(LockoutPolicy::devise()),
        Just(LockoutPolicy::keycloak()),
        (1u32..10, 1u64..100, 1u64..5000, 1u64..100_000)
            .prop_map(|(f, w, m, r)| { LockoutPolicy::keycloak_linear(f, w, m, r) }),
        (1u32..10, 1u64..100, 1u32..5, 1u64..100_000, any::<bool>()).prop_map(
            |(t, b, f, cap, count)| LockoutPolicy {
                threshold: t,
                schedule: Schedule::Exponential {
                    base_secs: b,
                    factor: f,
                },
                max_lock_secs: cap,
                quiet_reset: None,
                after_lock: AfterLock::Continue,
                count_locked_attempts: count,
            }
        ),
    ]
}

fn any_state() -> impl Strategy<Value = LockoutState> {
    let time = (-10_000_000_000_000i64..10_000_000_000_000)
        .prop_map(|ms| DateTime::from_timestamp_millis(ms).expect("milliseconds in range"));
    (any::<u32>(), proptest::option::of(time.clone()), time).prop_map(|(f, lu, la)| LockoutState {
        failures: f,
        locked_until: lu,
        last_attempt: Some(la),
    })
}

proptest! {
    #[test]
    fn lock_never_decreases_with_failures_and_never_exceeds_cap(policy in any_policy(), n in 0u32..2000) {
        let a = policy.lock_secs(n);
        let b = policy.lock_secs(n.saturating_add(1));
        prop_assert!(a <= b);
        prop_assert!(b <= policy.max_lock_secs);
    }

    #[test]
    fn consecutive_failures_lock_monotonically_until_a_reset(
        policy in any_policy(),
        gaps in proptest::collection::vec(0i64..2000, 1..40),
    ) {
        let mut state = LockoutState::default();
        let mut now = t0();
        let mut last_lock = Duration::ZERO;
        for gap in gaps {
            now += TimeDelta::seconds(gap);
            let before = state.failures;
            let Ok(attempt) = state.attempt(&policy, now) else { continue };
            state = attempt.failure();
            let lock = match state.check(&policy, now) {
                Decision::Allowed => Duration::ZERO,
                Decision::Locked(l) => l.retry_after,
            };
            prop_assert!(lock <= Duration::from_secs(policy.max_lock_secs));
            if state.failures == before + 1 {
                prop_assert!(lock >= last_lock, "lock shrank without a reset");
            } else {
                prop_assert_eq!(state.failures, 1, "only a reset may break the count");
            }
            last_lock = lock;
        }
    }

    #[test]
    fn refused_attempts_never_change_state(state in any_state(), policy in any_policy(), dt in 0i64..10_000_000) {
        prop_assume!(!policy.count_locked_attempts);
        let now = state.last_attempt.unwrap() + TimeDelta::milliseconds(dt);
        if let Err(refusal) = state.attempt(&policy, now) {
            prop_assert_eq!(refusal.new_state, None);
            prop_assert_eq!(state.record_failure(&policy, now), state);
            prop_assert_eq!(state.record_success(&policy, now), state);
        }
    }

    #[test]
    fn retry_after_is_bounded_by_the_cap(state in any_state(), policy in any_policy(), dt in -10_000_000_000i64..10_000_000_000) {
        let now = state.last_attempt.unwrap() + TimeDelta::milliseconds(dt);
        if let Decision::Locked(l) = state.check(&policy, now) {
            prop_assert!(l.retry_after <= Duration::from_secs(policy.max_lock_secs));
            prop_assert!(l.retry_after > Duration::ZERO);
        }
    }

    #[test]
    fn encodings_round_trip(state in any_state(), no_last in any::<bool>()) {
        let state = if no_last { LockoutState { locked_until: None, last_attempt: None, ..state } } else { state };
        prop_assert_eq!(LockoutState::decode(&state.encode()).unwrap(), state);
        prop_assert_eq!(LockoutState::from_bytes(&state.to_bytes()).unwrap(), state);
    }

    #[test]
    fn decode_never_panics(text in "\\PC{0,80}", bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
        let _ = LockoutState::decode(&text);
        let _ = LockoutState::from_bytes(&bytes);
    }

    #[test]
    fn decode_of_near_miss_text_never_panics(text in "l1\\.[0-9+-]{0,12}\\.[0-9-]{0,21}\\.[0-9-]{0,21}") {
        if let Ok(s) = LockoutState::decode(&text) {
            prop_assert_eq!(s.encode(), text);
        }
    }
}

// --- owned admission (docs/lockout.md, "Several servers, one account") ------

/// One login through the admission protocol on a CAS cell: admit (store the
/// failure in advance), check the password only when admitted, settle.
/// Returns whether the password was checked.
fn login_with_admission(
    cell: &Cell,
    policy: &LockoutPolicy,
    now: DateTime<Utc>,
    password_ok: bool,
    checks: &std::sync::atomic::AtomicUsize,
) -> bool {
    let admission = loop {
        let old = cell.load();
        let state = LockoutState::decode(&old).expect("the store holds encoded states");
        match state.attempt(policy, now) {
            Ok(admission) => {
                std::thread::yield_now();
                if cell.compare_and_swap(&old, admission.state().encode()) {
                    break admission;
                }
            }
            Err(refusal) => match refusal.new_state {
                Some(s) if !cell.compare_and_swap(&old, s.encode()) => {}
                _ => return false,
            },
        }
    };
    checks.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    if password_ok {
        let success = admission.success();
        loop {
            let old = cell.load();
            let current = LockoutState::decode(&old).expect("the store holds encoded states");
            if cell.compare_and_swap(&old, success.apply(current).encode()) {
                return true;
            }
        }
    }
    let _ = admission.failure();
    true
}

#[test]
fn admission_gives_at_most_the_free_tries_to_a_burst() {
    // 100 simultaneous wrong attempts on a fresh ups_site account, from 16
    // threads: only 5 password checks happen; 5 failures are stored.
    use std::sync::atomic::{AtomicUsize, Ordering};
    let policy = Arc::new(LockoutPolicy::ups_site());
    let cell = Arc::new(Cell(Mutex::new(LockoutState::default().encode())));
    let checks = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(std::sync::Barrier::new(16));
    let threads: Vec<_> = (0..16)
        .map(|i| {
            let (cell, policy, checks, barrier) = (
                Arc::clone(&cell),
                Arc::clone(&policy),
                Arc::clone(&checks),
                Arc::clone(&barrier),
            );
            std::thread::spawn(move || {
                barrier.wait();
                for _ in (i..100).step_by(16) {
                    login_with_admission(&cell, &policy, t0(), false, &checks);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(checks.load(Ordering::SeqCst), 5);
    assert_eq!(LockoutState::decode(&cell.load()).unwrap().failures, 5);
}

#[test]
fn a_correct_password_admitted_during_a_burst_settles_as_success() {
    use std::sync::atomic::AtomicUsize;
    let policy = LockoutPolicy::ups_site();
    let cell = Cell(Mutex::new(LockoutState::default().encode()));
    let checks = AtomicUsize::new(0);
    // The user is admitted first, then four wrong attempts are admitted and
    // stored before the user's password check finishes.
    let old = cell.load();
    let user = LockoutState::decode(&old)
        .unwrap()
        .attempt(&policy, t0())
        .unwrap();
    assert!(cell.compare_and_swap(&old, user.state().encode()));
    for _ in 0..4 {
        assert!(login_with_admission(&cell, &policy, t0(), false, &checks));
    }
    let burst = LockoutState::decode(&cell.load()).unwrap();
    assert_eq!(burst.failures, 5);
    assert!(matches!(burst.check(&policy, t0()), Decision::Locked(_)));
    let settled = user.success().apply(burst);
    assert_eq!(settled.failures, 0);
    assert_eq!(settled.check(&policy, t0()), Decision::Allowed);
}

#[test]
fn admission_while_locked_is_the_same_refusal_as_attempt() {
    let policy = LockoutPolicy::ups_site();
    let (_, state, _) = walk(&policy, 6);
    let now = state.last_attempt.unwrap();
    let refused = state.attempt(&policy, now).unwrap_err();
    assert_eq!(Err(refused), state.attempt(&policy, now).map(|_| ()));
}

#[test]
fn admission_remembers_what_it_was_computed_from() {
    let policy = LockoutPolicy::ups_site();
    let (_, state, now) = walk(&policy, 2);
    let later = now + secs(1);
    let admission = state.attempt(&policy, later).unwrap();
    assert_eq!(admission.previous(), state);
    assert_eq!(admission.state(), state.record_failure(&policy, later));
    assert_eq!(admission.admitted_at(), later);
}

#[test]
fn success_never_moves_last_attempt_backwards() {
    // Server A (clock behind) settles after server B (clock ahead) wrote.
    let policy = LockoutPolicy::ups_site();
    let admission = LockoutState::default().attempt(&policy, t0()).unwrap();
    let ahead = LockoutState::default().record_failure(&policy, t0() + secs(30));
    let settled = admission.success().apply(ahead);
    assert_eq!(settled.last_attempt, Some(t0() + secs(30)));
    assert_eq!(settled.failures, 0);
}

proptest! {
    /// On one server with no concurrency, the admission protocol writes
    /// exactly the states of attempt/failure/success (the Cognito rule).
    #[test]
    fn admission_equals_attempt_without_concurrency(
        policy in any_policy(),
        steps in proptest::collection::vec((-5_000i64..2_000_000, any::<bool>()), 1..60),
    ) {
        let mut via_attempt = LockoutState::default();
        let mut via_admission = LockoutState::default();
        let mut now = t0();
        for (dt, ok) in steps {
            now += TimeDelta::milliseconds(dt);
            // The classic one-writer flow (check, then record the outcome)…
            via_attempt = match via_attempt.check(&policy, now) {
                Decision::Allowed => if ok {
                    via_attempt.record_success(&policy, now)
                } else {
                    via_attempt.record_failure(&policy, now)
                },
                Decision::Locked(_) => match via_attempt.attempt(&policy, now) {
                    Err(r) => r.new_state.unwrap_or(via_attempt),
                    Ok(_) => unreachable!("check and attempt agree"),
                },
            };
            // …and the admission, settled as a shared store settles it.
            via_admission = match via_admission.attempt(&policy, now) {
                Ok(a) => {
                    let stored = a.state();
                    if ok { a.success().apply(stored) } else { a.failure() }
                }
                Err(r) => r.new_state.unwrap_or(via_admission),
            };
            prop_assert_eq!(via_attempt, via_admission);
        }
    }
}

// --- when a store may forget a state ---------------------------------------

#[test]
fn ups_site_state_is_forgotten_fifteen_minutes_after_its_lock_ends() {
    let policy = LockoutPolicy::ups_site();
    let (_, locked, _) = walk(&policy, 6); // 6th failure: 2 s lock
    let forget = locked.forget_at(&policy).unwrap();
    assert_eq!(forget, locked.locked_until.unwrap() + secs(900));
    // Below the threshold, only a success forgets (the Cognito rule).
    let (_, two, _) = walk(&policy, 2);
    assert_eq!(two.forget_at(&policy), None);
    assert_eq!(
        LockoutState::default().forget_at(&policy),
        Some(DateTime::<Utc>::UNIX_EPOCH)
    );
}

proptest! {
    /// After `forget_at`, the state and no state at all give the same
    /// decisions and the same stored states for any later attempt.
    #[test]
    fn after_forget_at_a_state_behaves_like_none(
        policy in any_policy(),
        failures in 0u32..40,
        later in prop_oneof![0i64..5_000, 0i64..200_000_000],
        outcome in any::<bool>(),
    ) {
        let mut state = LockoutState::default();
        let mut now = t0();
        for _ in 0..failures {
            state = state.record_failure(&policy, now);
            now += TimeDelta::milliseconds(700);
        }
        if let Some(at) = state.forget_at(&policy) {
            let at = at.max(now);
            let t = at + TimeDelta::milliseconds(later);
            let none = LockoutState::default();
            prop_assert_eq!(state.check(&policy, t), none.check(&policy, t));
            let (a, b) = if outcome {
                (state.record_success(&policy, t), none.record_success(&policy, t))
            } else {
                (state.record_failure(&policy, t), none.record_failure(&policy, t))
            };
            prop_assert_eq!(a.failures, b.failures);
            prop_assert_eq!(a.locked_until, b.locked_until);
        }
    }
}

#[test]
fn a_store_keeps_a_state_until_core_forgets_it_or_ninety_days() {
    use regcore::lockout::UNFORGOTTEN_RETENTION_SECS;
    let policy = LockoutPolicy::ups_site();
    let (_, locked, _) = walk(&policy, 6);
    let now = locked.last_attempt.unwrap();
    assert_eq!(
        locked.retain_until(&policy, now),
        locked.forget_at(&policy).unwrap()
    );
    let (_, two, _) = walk(&policy, 2);
    let last = two.last_attempt.unwrap();
    assert_eq!(
        two.retain_until(&policy, last),
        last + secs(UNFORGOTTEN_RETENTION_SECS as i64)
    );
    // Never in the past: a reset state written now is kept until now.
    let later = last + secs(3600);
    let reset = two.record_success(&policy, later);
    assert_eq!(
        reset.retain_until(&policy, later + secs(5)),
        later + secs(5)
    );
}
