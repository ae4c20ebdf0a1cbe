//! The one retry rule: bounded tries, full jitter, a deadline.
//!
//! A compare-and-set that lost is retried at once on the value that won
//! (when the store reported it: Redis), then after a sleep drawn uniformly
//! from `[0, min(max_delay, base_delay · 2^n))` on a fresh read; after
//! `attempts` tries or past the deadline the operation gives up with
//! `store.contended`, having recorded nothing. A read that fails is retried
//! [`READ_RETRIES`] times after the same jitter (it wrote nothing), then
//! `store.unavailable`. A write whose reply was lost is never retried: it
//! may have been stored (`store.outcome_unknown`).

use crate::StoreError;

/// How many failed reads one operation retries before `store.unavailable`.
pub const READ_RETRIES: u32 = 3;

/// Bounded retries with full jitter.
///
/// The default budget is sized for a hot key: 8 processes writing one key
/// back to back on 2 cores win about 1 try in 6, so 200 tries fail with
/// probability below 1e-15.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    attempts: u32,
    deadline_ms: f64,
    base_delay_ms: f64,
    max_delay_ms: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 200,
            deadline_ms: 5_000.0,
            base_delay_ms: 0.5,
            max_delay_ms: 20.0,
        }
    }
}

fn option(name: &str, expected: &str) -> StoreError {
    StoreError::InvalidOption {
        name: name.to_owned(),
        expected: expected.to_owned(),
    }
}

impl RetryPolicy {
    /// Longest deadline accepted (one hour).
    pub const MAX_DEADLINE_MS: f64 = 3_600_000.0;
    /// Longest delay accepted between two tries (one minute).
    pub const MAX_DELAY_MS: f64 = 60_000.0;
    /// Most tries accepted.
    pub const MAX_ATTEMPTS: u32 = 100_000;

    /// A policy, checked: `attempts` in 1..=100 000, `deadline_ms` in
    /// (0, 3 600 000], delays finite, ≥ 0, ≤ 60 000 ms, base ≤ max.
    ///
    /// # Errors
    /// `store.invalid_option` naming the option.
    pub fn new(
        attempts: u32,
        deadline_ms: f64,
        base_delay_ms: f64,
        max_delay_ms: f64,
    ) -> Result<Self, StoreError> {
        if !(1..=Self::MAX_ATTEMPTS).contains(&attempts) {
            return Err(option("attempts", "an integer from 1 to 100000"));
        }
        if !(deadline_ms.is_finite() && deadline_ms > 0.0 && deadline_ms <= Self::MAX_DEADLINE_MS) {
            return Err(option("deadline", "a finite time above 0, at most 1 hour"));
        }
        let delay_ok = |d: f64| d.is_finite() && (0.0..=Self::MAX_DELAY_MS).contains(&d);
        if !delay_ok(base_delay_ms) {
            return Err(option("base_delay", "a finite delay from 0 to 60 s"));
        }
        if !delay_ok(max_delay_ms) || max_delay_ms < base_delay_ms {
            return Err(option(
                "max_delay",
                "a finite delay from 0 to 60 s, not below base_delay",
            ));
        }
        Ok(Self {
            attempts,
            deadline_ms,
            base_delay_ms,
            max_delay_ms,
        })
    }

    /// Most tries of one operation.
    #[must_use]
    pub const fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Milliseconds after which no new try starts.
    #[must_use]
    pub const fn deadline_ms(&self) -> f64 {
        self.deadline_ms
    }

    /// First backoff bound, in milliseconds.
    #[must_use]
    pub const fn base_delay_ms(&self) -> f64 {
        self.base_delay_ms
    }

    /// Largest backoff bound, in milliseconds.
    #[must_use]
    pub const fn max_delay_ms(&self) -> f64 {
        self.max_delay_ms
    }

    /// The backoff before the `n`-th sleep, given a uniform draw in `[0, 1)`.
    #[must_use]
    pub fn delay_ms(&self, n: u32, uniform: f64) -> f64 {
        let exp = 2f64.powi(i32::try_from(n.min(60)).expect("at most 60"));
        uniform * self.max_delay_ms.min(self.base_delay_ms * exp)
    }
}

/// A small deterministic generator for jitter (SplitMix64), seeded by the
/// executor (the bindings draw the seed from the OS; a simulation picks it).
/// Not for secrets: it only spreads retries apart.
#[derive(Debug, Clone)]
pub struct Jitter(u64);

impl Jitter {
    /// A generator from `seed`.
    #[must_use]
    pub const fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits (e.g. the seed of one operation).
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform draw in `[0, 1)`.
    pub fn next_uniform(&mut self) -> f64 {
        let z = self.next_u64();
        #[expect(
            clippy::cast_precision_loss,
            reason = "53 random bits fit an f64 exactly"
        )]
        let top = (z >> 11) as f64;
        top / 9_007_199_254_740_992.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_checked() {
        assert!(RetryPolicy::new(0, 5000.0, 0.5, 20.0).is_err());
        assert!(RetryPolicy::new(1, 0.0, 0.5, 20.0).is_err());
        assert!(RetryPolicy::new(1, 5000.0, f64::NAN, 20.0).is_err());
        assert!(RetryPolicy::new(1, 5000.0, 0.5, f64::INFINITY).is_err());
        assert!(RetryPolicy::new(1, 5000.0, -1.0, 20.0).is_err());
        assert!(RetryPolicy::new(1, 5000.0, 30.0, 20.0).is_err());
        let err = RetryPolicy::new(0, 5000.0, 0.5, 20.0).unwrap_err();
        assert_eq!(regcore::Coded::code(&err), "store.invalid_option");
        assert!(RetryPolicy::new(1, 1.0, 0.0, 0.0).is_ok());
    }

    #[test]
    fn jitter_is_uniform_in_unit_interval_and_delays_are_bounded() {
        let mut j = Jitter::new(7);
        let policy = RetryPolicy::default();
        for n in 0..100 {
            let u = j.next_uniform();
            assert!((0.0..1.0).contains(&u));
            let d = policy.delay_ms(n, u);
            assert!((0.0..=20.0).contains(&d));
        }
    }
}
