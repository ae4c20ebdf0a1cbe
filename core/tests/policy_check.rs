//! Checking beyond single preset boundaries: all violations at once,
//! history, blocklists, describe(), custom policy validation, serialisation.
#![allow(clippy::arithmetic_side_effects)]

use regcore::hash::HashParams;
use regcore::policy::{Alphabet, CharClass, PolicyParts, Requirement, Severity};
use regcore::{
    CheckContext, Coded, PasswordPolicy, Pepper, PolicyError, Report, Rule, Violation,
    hash_password,
};

const FAST: HashParams = HashParams {
    memory_kib: 64,
    iterations: 1,
    parallelism: 1,
};

#[test]
fn every_violation_is_reported_at_once() {
    let p = PasswordPolicy::ups_site();
    // Too long, a space, a full-width letter, no digit, no symbol.
    let report = p.check("ａbcdefghij klmnopq", &CheckContext::new());
    assert_eq!(
        report.violations(),
        [
            Violation::TooLong {
                max: 16,
                actual: 18
            },
            Violation::DisallowedCharacter {
                character: ' ',
                position: 11
            },
            Violation::FullwidthCharacter {
                character: 'ａ',
                position: 1,
                count: 1
            },
            Violation::MissingDigit { min: 1 },
            Violation::MissingSymbol {
                min: 1,
                symbols: regcore::policy::UPS_SITE_SYMBOLS.to_owned()
            },
        ]
    );
    assert!(!report.is_ok() && !report.is_acceptable() && !report.must_change());

    let kms = PasswordPolicy::kms();
    let report = kms.check("1234aaaa!!!", &CheckContext::new());
    assert_eq!(
        report.codes(),
        [
            "password.too_long",
            "password.disallowed_character",
            "password.sequential_run",
            "password.repeated_run",
        ]
    );
    // A distinct disallowed character is reported once, at its first position.
    assert_eq!(
        report.violations()[1],
        Violation::DisallowedCharacter {
            character: '!',
            position: 9
        }
    );
}

#[test]
fn diagnostics_carry_code_params_and_both_messages() {
    let report = PasswordPolicy::ups_site().check("short", &CheckContext::new());
    let d = report.diagnostics();
    assert_eq!(d[0].code, "password.too_short");
    assert_eq!(
        d[0].params,
        vec![
            ("min".to_owned(), "10".to_owned()),
            ("actual".to_owned(), "5".to_owned())
        ]
    );
    assert_eq!(
        d[0].message_en,
        "Use at least 10 characters (you entered 5)."
    );
    assert_eq!(
        d[0].message_ja,
        "10文字以上で入力してください（入力は5文字）。"
    );
    assert_eq!(d.len(), 3); // too_short, missing_digit, missing_symbol
}

#[test]
fn report_serialises_with_codes_as_tags() {
    let report = PasswordPolicy::device_admin_pin().check("00000000", &CheckContext::new());
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["violations"][0]["code"], "password.default_credential");
    let back: Report = serde_json::from_value(json).unwrap();
    assert_eq!(back, report);

    let report = PasswordPolicy::ups_site().check("ab", &CheckContext::new());
    let json = serde_json::to_string(&report).unwrap();
    assert!(
        json.contains(r#"{"code":"password.too_short","min":10,"actual":2}"#),
        "{json}"
    );
    assert_eq!(serde_json::from_str::<Report>(&json).unwrap(), report);
    assert_eq!(
        Violation::DefaultCredential.severity(),
        Severity::MustChange
    );
    assert_eq!(Violation::CommonPassword.severity(), Severity::Reject);
}

#[test]
fn history_rejects_reuse_within_depth_only() {
    let mut parts = PasswordPolicy::nist_800_63b().into_parts();
    parts.history_depth = 2;
    let p = PasswordPolicy::new(parts).unwrap();
    let pepper = Pepper::new(&[9u8; 32]).unwrap();
    let h = |pw: &str, salt: u8| hash_password(pw, &[salt; 16], &FAST, Some(&pepper)).unwrap();
    // Newest first.
    let history = vec![
        h("second passphrase here", 1),
        h("first passphrase here!", 2),
        h("oldest passphrase here", 3),
    ];
    let ctx = CheckContext::new().with_history(&history, Some(&pepper));
    assert_eq!(
        p.check("first passphrase here!", &ctx).violations(),
        [Violation::ReusedPassword { depth: 2 }]
    );
    assert_eq!(
        p.check("second passphrase here", &ctx).codes(),
        ["password.reused_password"]
    );
    // Beyond the depth: allowed again.
    assert!(p.check("oldest passphrase here", &ctx).is_ok());
    assert!(p.check("a brand new passphrase", &ctx).is_ok());
    // Wrong pepper: cannot match, so not reported as reuse.
    let other = Pepper::new(&[8u8; 32]).unwrap();
    let wrong = CheckContext::new().with_history(&history, Some(&other));
    assert!(p.check("first passphrase here!", &wrong).is_ok());
}

#[test]
fn history_skips_malformed_entries_and_is_skipped_for_rejected_passwords() {
    let mut parts = PasswordPolicy::nist_800_63b_mfa().into_parts();
    parts.history_depth = 5;
    let p = PasswordPolicy::new(parts).unwrap();
    let history = vec![
        "garbage".to_owned(),
        hash_password("reused-passphrase", &[1; 16], &FAST, None).unwrap(),
    ];
    let ctx = CheckContext::new().with_history(&history, None);
    let report = p.check("reused-passphrase", &ctx);
    assert_eq!(report.codes(), ["password.reused_password"]);
    assert_eq!(report.skipped_history_entries(), 1);
    // A password rejected by another rule costs no Argon2 work.
    let report = p.check("short", &ctx);
    assert_eq!(report.codes(), ["password.too_short"]);
    assert_eq!(report.skipped_history_entries(), 0);
    // history_depth 0 ignores any history passed.
    let nist = PasswordPolicy::nist_800_63b_mfa();
    assert!(nist.check("reused-passphrase", &ctx).is_ok());
}

#[test]
fn policy_and_context_blocklists_are_case_insensitive_whole_matches() {
    let mut parts = PasswordPolicy::monitoring_service().into_parts();
    parts.blocklist = vec!["Kp-Net2020".to_owned()];
    let p = PasswordPolicy::new(parts).unwrap();
    let extra = vec!["Gateway99".to_owned()];
    let ctx = CheckContext::new().with_blocklist(&extra);
    assert_eq!(
        p.check("kP-nET2020", &ctx).codes(),
        ["password.common_password"]
    );
    assert_eq!(
        p.check("gATEWAY99", &ctx).codes(),
        ["password.common_password"]
    );
    assert!(p.check("Gateway999", &ctx).is_ok());
    assert!(p.check("Gateway99", &CheckContext::new()).is_ok());
    // The common list is off for this preset.
    assert!(p.check("Password1", &ctx).is_ok());
}

#[test]
fn describe_lists_rules_with_codes_params_and_texts() {
    let rules = PasswordPolicy::ups_site().describe();
    let codes: Vec<_> = rules.iter().map(Coded::code).collect();
    assert_eq!(
        codes,
        [
            "password.rule.length",
            "password.rule.allowed_characters",
            "password.rule.require",
            "password.rule.require",
            "password.rule.require",
            "password.rule.max_age",
        ]
    );
    assert_eq!(rules[0], Rule::Length { min: 10, max: 16 });
    assert_eq!(rules[0].message_en(), "10–16 characters");
    assert_eq!(rules[0].message_ja(), "10文字以上16文字以下");
    assert_eq!(
        rules[2],
        Rule::Require {
            class: CharClass::Letter,
            min: 1
        }
    );
    assert_eq!(
        rules[2].params(),
        vec![("class", "letter".to_owned()), ("min", "1".to_owned())]
    );
    assert!(rules[1].message_ja().contains("半角"));
    assert!(
        rules[1]
            .message_en()
            .contains("^$*.[]{}()?-\"!@#%&/\\,><':;|_~`+=")
    );
    assert_eq!(rules[5], Rule::MaxAge { days: 180 });

    let kms = PasswordPolicy::kms().describe();
    assert!(kms.contains(&Rule::NoSequentialRun { run: 4 }));
    assert!(kms.contains(&Rule::NoRepeatedRun { run: 4 }));
    let nist: Vec<_> = PasswordPolicy::nist_800_63b()
        .describe()
        .iter()
        .map(Coded::code)
        .collect();
    assert_eq!(
        nist,
        [
            "password.rule.length",
            "password.rule.any_characters",
            "password.rule.no_user_id",
            "password.rule.not_common",
        ]
    );
    // Each rule names the violation codes that break it, and every
    // violation a preset can report maps back to one of its rules.
    for name in PasswordPolicy::preset_names() {
        let policy = PasswordPolicy::preset(name).unwrap();
        for rule in policy.describe() {
            assert!(!rule.message_en().is_empty() && !rule.message_ja().is_empty());
            let _ = serde_json::to_string(&rule).unwrap();
        }
    }
    let report = PasswordPolicy::ups_site().check("あ", &CheckContext::new());
    let rules = PasswordPolicy::ups_site().describe();
    for v in report.violations() {
        assert!(
            rules
                .iter()
                .any(|r| r.violation_codes().contains(&v.code())),
            "{}",
            v.code()
        );
    }
}

fn custom() -> PolicyParts {
    PasswordPolicy::monitoring_service().into_parts()
}

#[test]
fn custom_policies_are_validated() {
    let cases: Vec<(PolicyParts, &str)> = vec![
        (
            PolicyParts {
                min_length: 0,
                ..custom()
            },
            "policy.invalid_length",
        ),
        (
            PolicyParts {
                min_length: 17,
                ..custom()
            },
            "policy.invalid_length",
        ),
        (
            PolicyParts {
                max_length: 1025,
                ..custom()
            },
            "policy.invalid_length",
        ),
        (
            PolicyParts {
                alphabet: Alphabet::Ascii {
                    lowercase: false,
                    uppercase: false,
                    digits: false,
                    symbols: String::new(),
                },
                required: vec![],
                ..custom()
            },
            "policy.empty_alphabet",
        ),
        (
            PolicyParts {
                alphabet: Alphabet::Ascii {
                    lowercase: true,
                    uppercase: true,
                    digits: true,
                    symbols: "!!".into(),
                },
                ..custom()
            },
            "policy.invalid_symbol",
        ),
        (
            PolicyParts {
                alphabet: Alphabet::Ascii {
                    lowercase: true,
                    uppercase: true,
                    digits: true,
                    symbols: "a".into(),
                },
                ..custom()
            },
            "policy.invalid_symbol",
        ),
        (
            PolicyParts {
                alphabet: Alphabet::Ascii {
                    lowercase: true,
                    uppercase: true,
                    digits: true,
                    symbols: "€".into(),
                },
                ..custom()
            },
            "policy.invalid_symbol",
        ),
        (
            PolicyParts {
                required: vec![Requirement::one(CharClass::Symbol)],
                alphabet: Alphabet::Ascii {
                    lowercase: true,
                    uppercase: true,
                    digits: true,
                    symbols: String::new(),
                },
                ..custom()
            },
            "policy.unsatisfiable_requirement",
        ),
        (
            PolicyParts {
                required: vec![Requirement {
                    class: CharClass::Digit,
                    min_count: 0,
                }],
                ..custom()
            },
            "policy.unsatisfiable_requirement",
        ),
        (
            PolicyParts {
                required: vec![Requirement {
                    class: CharClass::Digit,
                    min_count: 17,
                }],
                ..custom()
            },
            "policy.unsatisfiable_requirement",
        ),
        (
            PolicyParts {
                required: vec![
                    Requirement::one(CharClass::Digit),
                    Requirement::one(CharClass::Digit),
                ],
                ..custom()
            },
            "policy.unsatisfiable_requirement",
        ),
        (
            PolicyParts {
                forbid_sequential_run: Some(2),
                ..custom()
            },
            "policy.invalid_run_length",
        ),
        (
            PolicyParts {
                forbid_repeated_run: Some(1),
                ..custom()
            },
            "policy.invalid_run_length",
        ),
        (
            PolicyParts {
                max_age_days: Some(0),
                ..custom()
            },
            "policy.invalid_expiry",
        ),
        (
            PolicyParts {
                max_age_days: Some(14),
                ..custom()
            },
            "policy.invalid_expiry",
        ),
    ];
    for (parts, code) in cases {
        let err = PasswordPolicy::new(parts.clone()).unwrap_err();
        assert_eq!(err.code(), code, "{parts:?}");
        assert!(!err.message_en().is_empty() && !err.message_ja().is_empty());
        // The same parts cannot be loaded from JSON either.
        let json = serde_json::to_string(&parts).unwrap();
        assert!(
            serde_json::from_str::<PasswordPolicy>(&json).is_err(),
            "{json}"
        );
    }
    assert_eq!(
        PasswordPolicy::new(PolicyParts {
            min_length: 20,
            ..custom()
        })
        .unwrap_err(),
        PolicyError::InvalidLength { min: 20, max: 16 }
    );
    // Valid edge cases.
    assert!(
        PasswordPolicy::new(PolicyParts {
            min_length: 16,
            ..custom()
        })
        .is_ok()
    );
    assert!(
        PasswordPolicy::new(PolicyParts {
            max_length: 1024,
            ..custom()
        })
        .is_ok()
    );
    assert!(
        PasswordPolicy::new(PolicyParts {
            max_age_days: Some(15),
            ..custom()
        })
        .is_ok()
    );
}

#[test]
fn hand_written_json_uses_defaults_and_rejects_unknown_fields() {
    let json = r#"{"min_length":12,"max_length":64,"alphabet":{"kind":"any_unicode"},"use_common_blocklist":true,"max_age_days":90}"#;
    let p: PasswordPolicy = serde_json::from_str(json).unwrap();
    assert_eq!(p.parts().expiry_warning_days, 14);
    assert!(p.parts().required.is_empty());
    assert_eq!(
        p.check("short", &CheckContext::new()).codes(),
        ["password.too_short"]
    );
    let typo =
        r#"{"min_length":12,"max_length":64,"alphabet":{"kind":"any_unicode"},"min_lenght":3}"#;
    assert!(serde_json::from_str::<PasswordPolicy>(typo).is_err());
    let spaces = r#"{"min_length":4,"max_length":8,"alphabet":{"kind":"ascii","lowercase":true,"uppercase":false,"digits":false,"symbols":" "}}"#;
    let p: PasswordPolicy = serde_json::from_str(spaces).unwrap();
    assert!(p.check("ab cd", &CheckContext::new()).is_ok());
    assert!(p.describe()[1].message_en().contains("space"));
}

#[test]
fn custom_symbol_requirement_with_minimum_count() {
    let p = PasswordPolicy::new(PolicyParts {
        required: vec![Requirement {
            class: CharClass::Symbol,
            min_count: 2,
        }],
        ..custom()
    })
    .unwrap();
    assert_eq!(
        p.check("abcdefg!", &CheckContext::new()).violations(),
        [Violation::MissingSymbol {
            min: 2,
            symbols: regcore::policy::ASCII_SYMBOLS.to_owned()
        }]
    );
    assert!(p.check("abcdef!?", &CheckContext::new()).is_ok());
}

/// A context blocklist can fail `password.common_password` under a policy
/// without its own list; `describe_for` lists the rule that claims it, in
/// the place a policy blocklist would put it, and `describe` does not.
#[test]
fn describe_for_claims_context_blocklist_violations() {
    let policy = PasswordPolicy::ups_site();
    let blocklist = vec!["Company-2026!".to_owned()];
    let ctx = CheckContext::new().with_blocklist(&blocklist);
    let report = policy.check("Company-2026!", &ctx);
    assert_eq!(report.codes(), vec!["password.common_password"]);

    let plain = policy.describe();
    let with_ctx = policy.describe_for(&ctx);
    let claims = |rules: &[regcore::policy::Rule]| {
        rules
            .iter()
            .any(|r| r.violation_codes().contains(&"password.common_password"))
    };
    assert!(!claims(&plain));
    assert!(claims(&with_ctx));
    assert_eq!(with_ctx.len(), plain.len() + 1);
    // Every violation the contextual check reports is claimed by a rule.
    for code in report.codes() {
        assert!(
            with_ctx.iter().any(|r| r.violation_codes().contains(&code)),
            "{code}"
        );
    }
    // An empty context describes like `describe`; a policy with its own
    // blocklist lists the rule once either way.
    assert_eq!(policy.describe_for(&CheckContext::new()), plain);
    let nist = PasswordPolicy::nist_800_63b();
    assert_eq!(nist.describe_for(&ctx), nist.describe());
}
