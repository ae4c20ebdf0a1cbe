//! Password age and expiry (docs/passwords.md §4).
#![allow(clippy::arithmetic_side_effects)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use regcore::policy::PolicyParts;
use regcore::{PasswordAge, PasswordPolicy, password_age};

fn changed() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 31, 9, 30, 0).unwrap()
}

fn age_after(policy: &PasswordPolicy, elapsed: Duration) -> PasswordAge {
    password_age(changed(), changed() + elapsed, policy)
}

#[test]
fn ups_site_expires_at_180_days() {
    let p = PasswordPolicy::ups_site();
    assert_eq!(
        age_after(&p, Duration::days(179)),
        PasswordAge::ExpiresSoon { days_left: 1 }
    );
    assert_eq!(
        age_after(&p, Duration::days(180) - Duration::seconds(1)),
        PasswordAge::ExpiresSoon { days_left: 1 }
    );
    assert_eq!(age_after(&p, Duration::days(180)), PasswordAge::Expired);
    assert_eq!(age_after(&p, Duration::days(181)), PasswordAge::Expired);
    assert_eq!(age_after(&p, Duration::days(100_000)), PasswordAge::Expired);
}

#[test]
fn warning_window_boundaries() {
    let p = PasswordPolicy::ups_site();
    assert_eq!(age_after(&p, Duration::zero()), PasswordAge::Fresh);
    assert_eq!(age_after(&p, Duration::days(165)), PasswordAge::Fresh);
    assert_eq!(
        age_after(&p, Duration::days(166) - Duration::seconds(1)),
        PasswordAge::Fresh
    );
    assert_eq!(
        age_after(&p, Duration::days(166)),
        PasswordAge::ExpiresSoon { days_left: 14 }
    );
    assert_eq!(
        age_after(&p, Duration::days(166) + Duration::seconds(1)),
        PasswordAge::ExpiresSoon { days_left: 14 }
    );
    assert_eq!(
        age_after(&p, Duration::days(170)),
        PasswordAge::ExpiresSoon { days_left: 10 }
    );
    assert_eq!(
        age_after(&p, Duration::days(170) + Duration::hours(1)),
        PasswordAge::ExpiresSoon { days_left: 10 }
    );

    // Configurable window.
    let mut parts = p.into_parts();
    parts.expiry_warning_days = 30;
    let p30 = PasswordPolicy::new(parts.clone()).unwrap();
    assert_eq!(
        age_after(&p30, Duration::days(150)),
        PasswordAge::ExpiresSoon { days_left: 30 }
    );
    assert_eq!(age_after(&p30, Duration::days(149)), PasswordAge::Fresh);
    parts.expiry_warning_days = 0;
    let p0 = PasswordPolicy::new(parts).unwrap();
    assert_eq!(
        age_after(&p0, Duration::days(180) - Duration::seconds(1)),
        PasswordAge::Fresh
    );
    assert_eq!(age_after(&p0, Duration::days(180)), PasswordAge::Expired);
}

#[test]
fn no_max_age_is_always_fresh() {
    for name in [
        "nist_800_63b",
        "kms",
        "monitoring_service",
        "device_admin_pin",
    ] {
        let p = PasswordPolicy::preset(name).unwrap();
        assert_eq!(
            age_after(&p, Duration::days(10_000)),
            PasswordAge::Fresh,
            "{name}"
        );
    }
}

#[test]
fn clock_going_backwards_is_fresh() {
    let p = PasswordPolicy::ups_site();
    assert_eq!(age_after(&p, -Duration::days(1)), PasswordAge::Fresh);
    assert_eq!(age_after(&p, -Duration::days(10_000)), PasswordAge::Fresh);
    assert_eq!(
        password_age(DateTime::<Utc>::MAX_UTC, DateTime::<Utc>::MIN_UTC, &p),
        PasswordAge::Fresh
    );
    // Expiry beyond the calendar: never expires, never panics.
    assert_eq!(
        password_age(DateTime::<Utc>::MAX_UTC, DateTime::<Utc>::MAX_UTC, &p),
        PasswordAge::Fresh
    );
    assert_eq!(
        password_age(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC, &p),
        PasswordAge::Expired
    );
}

#[test]
fn age_serialises() {
    let json = serde_json::to_string(&PasswordAge::ExpiresSoon { days_left: 3 }).unwrap();
    assert_eq!(json, r#"{"state":"expires_soon","days_left":3}"#);
    assert_eq!(
        serde_json::to_string(&PasswordAge::Expired).unwrap(),
        r#"{"state":"expired"}"#
    );
}

proptest! {
    #[test]
    fn age_never_panics_and_is_monotonic(
        changed_s in -100_000_000_000i64..100_000_000_000,
        a in -1_000_000_000i64..1_000_000_000,
        b in -1_000_000_000i64..1_000_000_000,
        max_age in 1u32..100_000,
        warn in 0u32..100_000,
    ) {
        let parts = PolicyParts { max_age_days: Some(max_age), expiry_warning_days: warn.min(max_age - 1), ..PasswordPolicy::ups_site().into_parts() };
        let p = PasswordPolicy::new(parts).unwrap();
        let changed = DateTime::<Utc>::from_timestamp(changed_s, 0).unwrap();
        let (early, late) = if a <= b { (a, b) } else { (b, a) };
        let rank = |age: PasswordAge| match age {
            PasswordAge::Fresh => (0, 0),
            PasswordAge::ExpiresSoon { days_left } => (1, u32::MAX - days_left),
            PasswordAge::Expired => (2, 0),
            _ => unreachable!(),
        };
        let at = |s: i64| password_age(changed, changed + Duration::seconds(s), &p);
        // Later never looks younger (unless the clock is behind the change).
        if early >= 0 {
            prop_assert!(rank(at(early)) <= rank(at(late)));
        }
        if let PasswordAge::ExpiresSoon { days_left } = at(late) {
            prop_assert!(days_left >= 1 && days_left <= warn.min(max_age - 1).max(1));
        }
    }
}
