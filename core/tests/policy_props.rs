//! Property tests: check never panics on arbitrary passwords and arbitrary
//! (valid) policies, and its length verdicts match the policy.
#![allow(clippy::arithmetic_side_effects)]

use proptest::prelude::*;
use regcore::policy::{Alphabet, CharClass, PolicyParts, Requirement};
use regcore::{CheckContext, Coded, PasswordPolicy};

fn class() -> impl Strategy<Value = CharClass> {
    prop::sample::select(vec![
        CharClass::Lowercase,
        CharClass::Uppercase,
        CharClass::Letter,
        CharClass::Digit,
        CharClass::Symbol,
    ])
}

fn alphabet() -> impl Strategy<Value = Alphabet> {
    prop_oneof![
        Just(Alphabet::AnyUnicode),
        (
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            "[ -/:-@\\[-`{-~]{0,8}"
        )
            .prop_map(|(lowercase, uppercase, digits, symbols)| Alphabet::Ascii {
                lowercase,
                uppercase,
                digits,
                symbols
            }),
    ]
}

prop_compose! {
    fn parts()(
        min_length in 0u32..40,
        extra in 0u32..40,
        alphabet in alphabet(),
        required in prop::collection::vec((class(), 0u32..4), 0..4),
        seq in prop::option::of(0u32..8),
        rep in prop::option::of(0u32..8),
        forbid_user_id in any::<bool>(),
        use_common_blocklist in any::<bool>(),
        blocklist in prop::collection::vec("\\PC{0,10}", 0..3),
        max_age_days in prop::option::of(0u32..400),
        expiry_warning_days in 0u32..30,
        default_credentials in prop::collection::vec("[0-9a-z]{0,10}", 0..2),
    ) -> PolicyParts {
        PolicyParts {
            min_length,
            max_length: min_length.saturating_add(extra),
            alphabet,
            required: required.into_iter().map(|(class, min_count)| Requirement { class, min_count }).collect(),
            forbid_sequential_run: seq,
            forbid_repeated_run: rep,
            forbid_user_id,
            use_common_blocklist,
            blocklist,
            history_depth: 0,
            max_age_days,
            expiry_warning_days,
            default_credentials,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn check_never_panics_on_arbitrary_strings_and_policies(
        parts in parts(),
        password in "\\PC{0,40}|[\\x00-\\x7f]{0,40}|[０-９Ａ-Ｚａ-ｚ　！-～a-z0-9]{0,20}",
        user in prop::option::of("\\PC{0,12}"),
    ) {
        // Every generated part set either validates or is refused with a
        // typed error; nothing panics either way.
        match PasswordPolicy::new(parts.clone()) {
            Err(err) => prop_assert!(err.code().starts_with("policy.")),
            Ok(policy) => {
                let mut ctx = CheckContext::new();
                if let Some(u) = &user { ctx = ctx.with_user_id(u).with_email(u); }
                let report = policy.check(&password, &ctx);
                let len = password.chars().count() as u64;
                let codes = report.codes();
                prop_assert_eq!(codes.contains(&"password.too_short"), len < u64::from(parts.min_length));
                prop_assert_eq!(codes.contains(&"password.too_long"), len > u64::from(parts.max_length));
                prop_assert_eq!(report.is_ok(), report.violations().is_empty());
                for d in report.diagnostics() {
                    prop_assert!(d.code.starts_with("password."));
                    prop_assert!(!d.message_en.is_empty() && !d.message_ja.is_empty());
                }
                for rule in policy.describe() {
                    prop_assert!(!rule.message_ja().is_empty());
                }
                // JSON round trip of any valid policy.
                let json = serde_json::to_string(&policy).unwrap();
                prop_assert_eq!(serde_json::from_str::<PasswordPolicy>(&json).unwrap(), policy);
            }
        }
    }

    #[test]
    fn presets_never_panic_and_positions_are_in_range(password in "\\PC{0,80}") {
        for name in PasswordPolicy::preset_names() {
            let policy = PasswordPolicy::preset(name).unwrap();
            let report = policy.check(&password, &CheckContext::new().with_user_id("user"));
            let len = password.chars().count();
            for d in report.diagnostics() {
                for (k, v) in &d.params {
                    if k == "position" {
                        let pos: usize = v.parse().unwrap();
                        prop_assert!(pos >= 1 && pos <= len);
                    }
                }
            }
        }
    }

    #[test]
    fn kms_accepts_any_password_without_runs(password in "[A-Za-z0-9]{8,10}") {
        let chars: Vec<char> = password.chars().collect();
        let key = |c: char| if c.is_ascii_digit() { (0, c as i32) } else { (1, c.to_ascii_lowercase() as i32) };
        let has_seq = chars.windows(4).any(|w| {
            let k: Vec<_> = w.iter().map(|&c| key(c)).collect();
            k.iter().all(|x| x.0 == k[0].0)
                && (k.windows(2).all(|p| p[1].1 - p[0].1 == 1) || k.windows(2).all(|p| p[0].1 - p[1].1 == 1))
        });
        let has_rep = chars.windows(4).any(|w| w.iter().all(|&c| c == w[0]));
        let codes = PasswordPolicy::kms().check(&password, &CheckContext::new()).codes();
        prop_assert_eq!(codes.contains(&"password.sequential_run"), has_seq);
        prop_assert_eq!(codes.contains(&"password.repeated_run"), has_rep);
        prop_assert_eq!(codes.len(), usize::from(has_seq) + usize::from(has_rep));
    }
}
