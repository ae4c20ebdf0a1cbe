//! Arbitrary policy JSON: `serde_json::from_slice` into `PolicyParts`, then
//! `PasswordPolicy::new`, then a check.
//!
//! Input: JSON bytes, 0xFF, then password / user ID / e-mail fields. An
//! invalid policy fails with a `policy.` code, and deserialising
//! `PasswordPolicy` directly refuses it too; a valid one survives a JSON
//! round trip unchanged, describes itself, checks the password under the
//! same invariants as the presets, and reports a sane password age
//! (fresh without a max age, expired only after the change, at most
//! `expiry_warning_days + 1` days left when warning).
#![no_main]

use libfuzzer_sys::fuzz_target;
use regcore::policy::{PasswordAge, PasswordPolicy, PolicyParts, password_age};
use regcore_fuzz::{Bytes, SEP, assert_coded, fields, instant_ms};

fuzz_target!(|data: &[u8]| {
    let (json, rest) = match data.iter().position(|b| *b == SEP) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Ok(parts) = serde_json::from_slice::<PolicyParts>(json) else {
        return;
    };
    let direct = serde_json::from_slice::<PasswordPolicy>(json);
    match PasswordPolicy::new(parts.clone()) {
        Err(e) => {
            assert_coded(&e, &["policy."]);
            assert!(direct.is_err(), "deserialising skipped validation");
        }
        Ok(policy) => {
            assert_eq!(policy.parts(), &parts);
            assert_eq!(direct.as_ref().ok(), Some(&policy));
            let text = serde_json::to_string(&policy).expect("a policy serialises");
            let again: PasswordPolicy = serde_json::from_str(&text).expect("its JSON loads");
            assert_eq!(again, policy);
            for rule in policy.describe() {
                assert_coded(&rule, &["password.rule."]);
            }
            let [password, user_id, email] = fields::<3>(rest);
            // Password age at instants anywhere in chrono's range, taken
            // from the password bytes.
            let mut b = Bytes(password.as_bytes());
            let (changed_at, now) = (instant_ms(b.i64()), instant_ms(b.i64()));
            let age = password_age(changed_at, now, &policy);
            let _ = age.to_string();
            match (policy.parts().max_age_days, age) {
                (None, a) => assert_eq!(a, PasswordAge::Fresh),
                (Some(_), PasswordAge::Expired) => assert!(now > changed_at),
                (Some(_), PasswordAge::ExpiresSoon { days_left }) => {
                    assert!(days_left >= 1);
                    assert!(days_left <= policy.parts().expiry_warning_days.saturating_add(1));
                }
                (Some(_), _) => {}
            }
            let listed = Vec::new();
            regcore_fuzz::policy::check_all(&policy, &password, &user_id, &email, &listed);
        }
    }
});
