//! Timestamps cross the boundary as uniffi timestamps (`java.time.Instant` in
//! Kotlin, `Date` in Swift) and durations as `java.time.Duration` /
//! `TimeInterval`; core takes `chrono` values. These are the only
//! conversions, and they never panic (chrono's own `From<SystemTime>` does on
//! out-of-range values): an instant chrono cannot hold is core's
//! `time.out_of_range` (kind invalid input), never a clamped value.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use regcore::BoundaryError;

/// Core's refusal of an instant chrono cannot represent (before year
/// −262143 or after +262142): `time.out_of_range`, kind invalid input.
const OUT_OF_RANGE: BoundaryError = BoundaryError::TimeOutOfRange;

/// `SystemTime` (from Kotlin/Swift) to chrono UTC.
pub(crate) fn to_chrono(t: SystemTime) -> Result<DateTime<Utc>, BoundaryError> {
    let (secs, nanos) = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (
            i64::try_from(d.as_secs()).map_err(|_| OUT_OF_RANGE)?,
            d.subsec_nanos(),
        ),
        Err(before) => {
            let d = before.duration();
            let secs = i64::try_from(d.as_secs()).map_err(|_| OUT_OF_RANGE)?;
            if d.subsec_nanos() == 0 {
                (secs.checked_neg().ok_or(OUT_OF_RANGE)?, 0)
            } else {
                // -1.25 s is -2 s + 0.75 s: chrono wants non-negative nanos.
                let whole = secs
                    .checked_add(1)
                    .and_then(i64::checked_neg)
                    .ok_or(OUT_OF_RANGE)?;
                (whole, 1_000_000_000_u32.saturating_sub(d.subsec_nanos()))
            }
        }
    };
    DateTime::from_timestamp(secs, nanos).ok_or(OUT_OF_RANGE)
}

/// chrono UTC to `SystemTime`. Every chrono instant fits in `SystemTime` on
/// the 64-bit targets apps ship; the error arm is for 32-bit `time_t`.
pub(crate) fn from_chrono(t: DateTime<Utc>) -> Result<SystemTime, BoundaryError> {
    let secs = t.timestamp();
    let nanos = t.timestamp_subsec_nanos();
    let magnitude = Duration::new(secs.unsigned_abs(), 0);
    let whole = if secs >= 0 {
        UNIX_EPOCH.checked_add(magnitude)
    } else {
        UNIX_EPOCH.checked_sub(magnitude)
    };
    whole
        .and_then(|w| w.checked_add(Duration::from_nanos(u64::from(nanos))))
        .ok_or(OUT_OF_RANGE)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trips_before_and_after_the_epoch() {
        for (secs, nanos) in [
            (0_i64, 0_u32),
            (1_700_000_000, 123_456_789),
            (-1, 250_000_000),
            (-86_400, 0),
            (-2, 999_999_999),
        ] {
            let c = DateTime::from_timestamp(secs, nanos).unwrap();
            let s = from_chrono(c).unwrap();
            assert_eq!(to_chrono(s).unwrap(), c, "{secs}.{nanos}");
        }
    }

    #[test]
    fn far_future_is_an_error_not_a_panic() {
        let far = UNIX_EPOCH + Duration::from_secs(u64::MAX / 4);
        assert_eq!(to_chrono(far), Err(BoundaryError::TimeOutOfRange));
        let e = crate::RegcoreError::from(to_chrono(far).unwrap_err());
        assert_eq!(e.code(), "time.out_of_range");
        assert_eq!(e.kind(), crate::error::ErrorKind::InvalidInput);
    }
}

#[cfg(test)]
mod range_tests {
    #![allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]
    use super::*;

    /// The first instants outside chrono's range are refused, the last ones
    /// inside are taken exactly (the Kotlin number walk uses the same ones).
    #[test]
    fn chrono_range_limits_are_exact() {
        // +262142-12-31T23:59:59.999999999Z and -262143-01-01T00:00:00Z.
        let max = DateTime::<Utc>::MAX_UTC;
        let min = DateTime::<Utc>::MIN_UTC;
        assert_eq!(
            (max.timestamp(), max.timestamp_subsec_nanos()),
            (8_210_266_876_799, 999_999_999)
        );
        assert_eq!(
            (min.timestamp(), min.timestamp_subsec_nanos()),
            (-8_334_601_228_800, 0)
        );
        for t in [max, min] {
            assert_eq!(to_chrono(from_chrono(t).unwrap()).unwrap(), t);
        }
        let past_max = from_chrono(max).unwrap() + Duration::from_nanos(1);
        let before_min = from_chrono(min).unwrap() - Duration::from_nanos(1);
        assert_eq!(to_chrono(past_max), Err(BoundaryError::TimeOutOfRange));
        assert_eq!(to_chrono(before_min), Err(BoundaryError::TimeOutOfRange));
    }
}
