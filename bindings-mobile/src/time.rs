//! Timestamps cross the boundary as uniffi timestamps (`java.time.Instant` in
//! Kotlin, `Date` in Swift) and durations as `java.time.Duration` /
//! `TimeInterval`; core takes `chrono` values. These are the only
//! conversions, and they never panic (chrono's own `From<SystemTime>` does on
//! out-of-range values).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use regcore::{Coded, Lang, Param};

use crate::error::{Area, RegcoreError};

/// A timestamp chrono cannot represent (before year −262143 or after
/// +262142). Code `time.out_of_range`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OutOfRange;

impl Coded for OutOfRange {
    fn code(&self) -> &'static str {
        "time.out_of_range"
    }
    fn params(&self) -> Vec<Param> {
        Vec::new()
    }
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Ja => "日時が扱える範囲外です。".to_owned(),
            _ => "the timestamp is outside the supported range".to_owned(),
        }
    }
}

impl From<OutOfRange> for RegcoreError {
    fn from(e: OutOfRange) -> Self {
        Self::from_coded(Area::InvalidArgument, &e)
    }
}

/// `SystemTime` (from Kotlin/Swift) to chrono UTC.
pub(crate) fn to_chrono(t: SystemTime) -> Result<DateTime<Utc>, OutOfRange> {
    let (secs, nanos) = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (
            i64::try_from(d.as_secs()).map_err(|_| OutOfRange)?,
            d.subsec_nanos(),
        ),
        Err(before) => {
            let d = before.duration();
            let secs = i64::try_from(d.as_secs()).map_err(|_| OutOfRange)?;
            if d.subsec_nanos() == 0 {
                (secs.checked_neg().ok_or(OutOfRange)?, 0)
            } else {
                // -1.25 s is -2 s + 0.75 s: chrono wants non-negative nanos.
                let whole = secs
                    .checked_add(1)
                    .and_then(i64::checked_neg)
                    .ok_or(OutOfRange)?;
                (whole, 1_000_000_000_u32.saturating_sub(d.subsec_nanos()))
            }
        }
    };
    DateTime::from_timestamp(secs, nanos).ok_or(OutOfRange)
}

/// chrono UTC to `SystemTime`. Every chrono instant fits in `SystemTime` on
/// the 64-bit targets apps ship; the error arm is for 32-bit `time_t`.
pub(crate) fn from_chrono(t: DateTime<Utc>) -> Result<SystemTime, OutOfRange> {
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
        .ok_or(OutOfRange)
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
        assert_eq!(to_chrono(far), Err(OutOfRange));
        let e = RegcoreError::from(OutOfRange);
        assert_eq!(e.code(), "time.out_of_range");
    }
}
