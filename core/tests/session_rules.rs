//! Sessions (docs/codes-and-links.md §3): 30-minute idle timeout, optional absolute cap,
//! clock going backwards.
// Tests may unwrap, cast and do plain arithmetic on values they construct.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    clippy::cast_lossless
)]

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use proptest::prelude::*;
use regcore::session::{SessionPolicy, SessionState, SessionStatus};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 4, 1, 9, 0, 0).unwrap()
}

fn min(m: i64) -> TimeDelta {
    TimeDelta::minutes(m)
}

#[expect(clippy::panic, reason = "a test helper: a wrong status fails the test")]
fn active(status: SessionStatus) -> SessionState {
    match status {
        SessionStatus::Active(s) => s,
        other => panic!("expected active, got {other:?}"),
    }
}

#[test]
fn idle_timeout_is_30_minutes_and_activity_renews() {
    let p = SessionPolicy::ups_site();
    let s = SessionState::start(t0());
    let s = active(s.touch(&p, t0() + min(29)));
    assert_eq!(s.last_seen, t0() + min(29));
    assert_eq!(s.started_at, t0());
    // Every activity renews: hours of use with < 30 min gaps.
    let mut s = s;
    for i in 1..20 {
        s = active(s.touch(&p, t0() + min(29 * (i + 1))));
    }
    assert_eq!(
        s.touch(&p, s.last_seen + min(30)),
        SessionStatus::IdleExpired
    );
    assert!(matches!(
        s.touch(&p, s.last_seen + min(30) - TimeDelta::seconds(1)),
        SessionStatus::Active(_)
    ));
}

#[test]
fn absolute_cap() {
    let p = SessionPolicy::ups_site().with_absolute_timeout_secs(8 * 3600);
    let mut s = SessionState::start(t0());
    // Active every 10 minutes; 8 h after log-in it ends whatever the activity.
    let mut now = t0();
    while now < t0() + TimeDelta::hours(8) - min(10) {
        now += min(10);
        s = active(s.touch(&p, now));
    }
    assert_eq!(
        s.touch(&p, t0() + TimeDelta::hours(8)),
        SessionStatus::AbsoluteExpired
    );
}

#[test]
fn clock_backwards_neither_extends_nor_shortens() {
    let p = SessionPolicy::ups_site().with_absolute_timeout_secs(3600);
    let s = active(SessionState::start(t0()).touch(&p, t0() + min(20)));
    // The clock jumps back a day: no idle time passed, age is kept.
    let back = t0() - TimeDelta::days(1);
    let r = active(s.touch(&p, back));
    assert_eq!(r.last_seen, back);
    assert_eq!(r.started_at, back - min(20));
    // The remaining absolute life is still 40 minutes on the new clock.
    let r = active(r.touch(&p, back + min(25)));
    assert_eq!(r.touch(&p, back + min(40)), SessionStatus::AbsoluteExpired);
}

#[test]
fn serde_round_trip() {
    let p = SessionPolicy::ups_site();
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(serde_json::from_str::<SessionPolicy>(&json).unwrap(), p);
    let s = SessionState::start(t0());
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(serde_json::from_str::<SessionState>(&json).unwrap(), s);
}

proptest! {
    #[test]
    fn never_panics_and_never_grows_age_backwards(
        start in -100_000_000_000i64..100_000_000_000,
        steps in proptest::collection::vec(-100_000i64..3000, 1..30),
        idle in 0u64..u64::MAX,
        cap in proptest::option::of(any::<u64>()),
    ) {
        let p = SessionPolicy { idle_timeout_secs: idle, absolute_timeout_secs: cap };
        let mut now = DateTime::from_timestamp(start, 0).unwrap();
        let mut s = SessionState::start(now);
        for step in steps {
            now += TimeDelta::seconds(step);
            let age_before = s.last_seen.signed_duration_since(s.started_at);
            match s.touch(&p, now) {
                SessionStatus::Active(r) => {
                    let age_after = r.last_seen.signed_duration_since(r.started_at);
                    prop_assert!(age_after >= age_before);
                    if let Some(cap) = cap {
                        prop_assert!(age_after < TimeDelta::try_seconds(cap as i64).unwrap_or(TimeDelta::MAX) || cap > i64::MAX as u64);
                    }
                    s = r;
                }
                _ => break,
            }
        }
        // Extreme instants.
        let _ = s.touch(&p, DateTime::<Utc>::MAX_UTC);
        let _ = s.touch(&p, DateTime::<Utc>::MIN_UTC);
    }
}

#[test]
fn session_state_encodes_canonically_and_knows_when_it_ends() {
    use regcore::Coded;
    let t0 = chrono::DateTime::from_timestamp_millis(1_743_498_000_123).unwrap();
    let state = SessionState::start(t0);
    assert_eq!(state.encode(), "s1.1743498000123.1743498000123");
    assert_eq!(SessionState::decode(&state.encode()), Ok(state));
    let policy = SessionPolicy::ups_site();
    assert_eq!(
        state.expires_at(&policy),
        t0 + chrono::Duration::minutes(30)
    );
    let capped = policy.with_absolute_timeout_secs(600);
    assert_eq!(
        state.expires_at(&capped),
        t0 + chrono::Duration::minutes(10)
    );
    for bad in [
        "", "s1", "s1.1", "s2.1.2", "s1.01.2", "s1.1.+2", "s1.-0.1", "s1.1.2.3", "s1.a.b",
    ] {
        let err = SessionState::decode(bad).unwrap_err();
        assert_eq!(err.code(), "session.malformed_state", "{bad}");
        assert_eq!(err.kind(), regcore::ErrorKind::StoredState);
    }
}

proptest! {
    #[test]
    fn session_encoding_round_trips_and_decode_never_panics(
        a in -8_000_000_000_000i64..8_000_000_000_000,
        b in -8_000_000_000_000i64..8_000_000_000_000,
        junk in "\\PC{0,40}",
    ) {
        let state = SessionState {
            started_at: DateTime::from_timestamp_millis(a).unwrap(),
            last_seen: DateTime::from_timestamp_millis(b).unwrap(),
        };
        prop_assert_eq!(SessionState::decode(&state.encode()), Ok(state));
        let _ = SessionState::decode(&junk);
        let near = format!("s1.{junk}");
        if let Ok(s) = SessionState::decode(&near) {
            prop_assert_eq!(s.encode(), near);
        }
    }
}
