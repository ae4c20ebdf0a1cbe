//! Every boundary of every preset (docs/passwords.md §1).
#![allow(clippy::arithmetic_side_effects)]

use regcore::policy::{ASCII_SYMBOLS, UPS_SITE_SYMBOLS};
use regcore::{CheckContext, Coded, PasswordPolicy, Report, Violation};

fn check(policy: &PasswordPolicy, password: &str) -> Report {
    policy.check(password, &CheckContext::new())
}

fn codes(policy: &PasswordPolicy, password: &str) -> Vec<&'static str> {
    check(policy, password).codes()
}

// --- ups_site ---------------------------------------------------------------

#[test]
fn ups_site_length_boundaries() {
    let p = PasswordPolicy::ups_site();
    // 9, 10, 16, 17 characters, each with a letter, a digit and a symbol.
    assert_eq!(codes(&p, "abcdefg1!"), ["password.too_short"]);
    assert!(check(&p, "abcdefgh1!").is_ok());
    assert!(check(&p, "abcdefghijklmn1!").is_ok());
    assert_eq!(codes(&p, "abcdefghijklmno1!"), ["password.too_long"]);
    assert_eq!(
        check(&p, "abcdefg1!").violations(),
        [Violation::TooShort { min: 10, actual: 9 }]
    );
    assert_eq!(
        check(&p, "abcdefghijklmno1!").violations(),
        [Violation::TooLong {
            max: 16,
            actual: 17
        }]
    );
}

#[test]
fn ups_site_accepts_each_of_the_32_symbols_individually() {
    let p = PasswordPolicy::ups_site();
    assert_eq!(UPS_SITE_SYMBOLS.chars().count(), 32);
    let mut sorted: Vec<char> = UPS_SITE_SYMBOLS.chars().collect();
    sorted.sort_unstable();
    assert_eq!(sorted.into_iter().collect::<String>(), ASCII_SYMBOLS);
    for symbol in UPS_SITE_SYMBOLS.chars() {
        let password = format!("abcdefgh1{symbol}");
        assert!(check(&p, &password).is_ok(), "{password:?}");
        // The symbol alone satisfies "must contain a symbol".
        let password = format!("{symbol}bcdefgh12");
        assert!(check(&p, &password).is_ok(), "{password:?}");
    }
}

#[test]
fn ups_site_rejects_space_and_non_ascii() {
    let p = PasswordPolicy::ups_site();
    assert_eq!(
        check(&p, "abcd efgh1!").violations(),
        [Violation::DisallowedCharacter {
            character: ' ',
            position: 5
        }]
    );
    assert_eq!(
        check(&p, "abcdéfgh1!").violations(),
        [Violation::DisallowedCharacter {
            character: 'é',
            position: 5
        }]
    );
    assert_eq!(
        codes(&p, "あいうえおかabc1!"),
        ["password.disallowed_character"; 6]
    );
    // The yen sign (how JIS fonts draw the backslash) is not the backslash.
    assert_eq!(
        codes(&p, "abcdefgh1¥"),
        ["password.disallowed_character", "password.missing_symbol"]
    );
    assert!(check(&p, "abcdefgh1\\").is_ok());
}

#[test]
fn ups_site_fullwidth_gets_its_own_code() {
    let p = PasswordPolicy::ups_site();
    // Full-width digit and symbol: counted as their half-width forms, so the
    // only complaint is "enter half-width characters".
    let report = check(&p, "abcdefgh１！");
    assert_eq!(
        report.violations(),
        [Violation::FullwidthCharacter {
            character: '１',
            position: 9,
            count: 2
        }]
    );
    let d = &report.diagnostics()[0];
    assert_eq!(d.code, "password.fullwidth_character");
    assert!(d.message_ja.contains("半角"));
    assert!(d.message_en.to_lowercase().contains("half-width"));
    // Ideographic space folds to a space, which is not allowed either: that
    // is a disallowed character, not a width problem.
    assert_eq!(
        codes(&p, "abcdefgh1!\u{3000}"),
        ["password.disallowed_character"]
    );
}

#[test]
fn ups_site_requires_letter_digit_symbol() {
    let p = PasswordPolicy::ups_site();
    assert_eq!(codes(&p, "1234567890!"), ["password.missing_letter"]);
    assert_eq!(codes(&p, "abcdefghij!"), ["password.missing_digit"]);
    assert_eq!(codes(&p, "abcdefghij1"), ["password.missing_symbol"]);
    assert_eq!(
        codes(&p, "!!!!!!!!!!"),
        ["password.missing_letter", "password.missing_digit"]
    );
    // Upper-case letters count as letters.
    assert!(check(&p, "ABCDEFGH1!").is_ok());
}

#[test]
fn ups_site_expires_after_180_days() {
    assert_eq!(PasswordPolicy::ups_site().parts().max_age_days, Some(180));
    assert_eq!(PasswordPolicy::ups_site().parts().expiry_warning_days, 14);
}

// --- monitoring_service -----------------------------------------------------

#[test]
fn monitoring_service_boundaries_and_classes() {
    let p = PasswordPolicy::monitoring_service();
    assert_eq!(codes(&p, "Abcdef1"), ["password.too_short"]);
    assert!(check(&p, "Abcdefg1").is_ok());
    assert!(check(&p, "Abcdefghijklmno1").is_ok());
    assert_eq!(codes(&p, "Abcdefghijklmnop1"), ["password.too_long"]);
    assert_eq!(codes(&p, "ABCDEFG1"), ["password.missing_lowercase"]);
    assert_eq!(codes(&p, "abcdefg1"), ["password.missing_uppercase"]);
    assert_eq!(codes(&p, "Abcdefgh"), ["password.missing_digit"]);
    assert_eq!(
        codes(&p, "12345678"),
        ["password.missing_lowercase", "password.missing_uppercase"]
    );
    // Symbols allowed (decision), space not.
    for symbol in ASCII_SYMBOLS.chars() {
        assert!(check(&p, &format!("Abcdef1{symbol}")).is_ok(), "{symbol}");
    }
    assert_eq!(codes(&p, "Abc def1"), ["password.disallowed_character"]);
    // Case-sensitive: no case folding anywhere.
    assert_eq!(codes(&p, "ＡBcdefg1"), ["password.fullwidth_character"]);
}

// --- kms --------------------------------------------------------------------

#[test]
fn kms_length_boundaries() {
    let p = PasswordPolicy::kms();
    assert_eq!(codes(&p, "a1b2c3d"), ["password.too_short"]);
    assert!(check(&p, "a1b2c3d4").is_ok());
    assert!(check(&p, "a1b2c3d4e5").is_ok());
    assert_eq!(codes(&p, "a1b2c3d4e5f"), ["password.too_long"]);
}

#[test]
fn kms_alphanumeric_only() {
    let p = PasswordPolicy::kms();
    assert_eq!(codes(&p, "a1b2c3d!"), ["password.disallowed_character"]);
    assert_eq!(codes(&p, "a1b2c3d_"), ["password.disallowed_character"]);
    assert_eq!(codes(&p, "a1b2c3ｄ4"), ["password.fullwidth_character"]);
}

#[test]
fn kms_runs_of_four_rejected_runs_of_three_accepted() {
    let p = PasswordPolicy::kms();
    for (pw, code, position) in [
        ("x1234yzq", "password.sequential_run", 2),
        ("xdcbaqzq", "password.sequential_run", 2),
        ("qz9876wq", "password.sequential_run", 3),
        ("qzABCDwq", "password.sequential_run", 3),
        ("aBcDqzwq", "password.sequential_run", 1),
        ("xaaaaqzw", "password.repeated_run", 2),
        ("qw1111zx", "password.repeated_run", 3),
    ] {
        let report = check(&p, pw);
        assert_eq!(report.codes(), [code], "{pw}");
        let (run, pos) = match &report.violations()[0] {
            Violation::SequentialRun { run, position }
            | Violation::RepeatedRun { run, position } => (*run, *position),
            other => panic!("{other:?}"),
        };
        assert_eq!((run, pos), (4, position), "{pw}");
    }
    for pw in [
        "x123yz9q", "xcbaqz1q", "xaaaqzw1", "a1b2c3d4", "abc1cba2", "123a4568",
    ] {
        assert!(check(&p, pw).is_ok(), "{pw}");
    }
    // Not a run: a turn in direction, wrap-around, or crossing digit/letter.
    for pw in ["12321qzw", "890aqzwq", "789abqzw", "xyzabqwe", "aAaAqzwq"] {
        assert!(check(&p, pw).is_ok(), "{pw}");
    }
    assert_eq!(
        codes(&p, "1234aaaa"),
        ["password.sequential_run", "password.repeated_run"]
    );
}

// --- device_admin_pin -------------------------------------------------------

#[test]
fn device_pin_boundaries() {
    let p = PasswordPolicy::device_admin_pin();
    assert_eq!(codes(&p, "123"), ["password.too_short"]);
    assert!(check(&p, "1234").is_ok());
    assert!(check(&p, "1234567890").is_ok());
    assert_eq!(codes(&p, "12345678901"), ["password.too_long"]);
    assert_eq!(codes(&p, "12a4"), ["password.disallowed_character"]);
    assert_eq!(codes(&p, "１２３４"), ["password.fullwidth_character"]);
}

#[test]
fn device_pin_factory_default_is_acceptable_but_must_change() {
    let p = PasswordPolicy::device_admin_pin();
    let report = check(&p, "00000000");
    assert_eq!(report.violations(), [Violation::DefaultCredential]);
    assert!(!report.is_ok());
    assert!(report.is_acceptable());
    assert!(report.must_change());
    // Any other PIN of zeros is not the default.
    assert!(check(&p, "0000").is_ok());
    assert!(check(&p, "000000000").is_ok());
    // A rejected PIN is neither ok nor acceptable.
    let short = check(&p, "000");
    assert!(!short.is_acceptable() && !short.must_change());
}

// --- nist_800_63b -----------------------------------------------------------

#[test]
fn nist_length_boundaries() {
    let p = PasswordPolicy::nist_800_63b();
    let pw = |n: usize| "q7#Lm".chars().cycle().take(n).collect::<String>();
    assert_eq!(codes(&p, &pw(14)), ["password.too_short"]);
    assert!(check(&p, &pw(15)).is_ok());
    assert!(check(&p, &pw(64)).is_ok());
    assert_eq!(codes(&p, &pw(65)), ["password.too_long"]);
    // Length counts Unicode scalar values, not bytes.
    assert!(check(&p, &"パスワード".repeat(3)).is_ok());
    assert_eq!(codes(&p, &"パスワード".repeat(13)), ["password.too_long"]);
    assert!(check(&p, &"🔑".repeat(15)).is_ok());
}

#[test]
fn nist_any_unicode_no_composition_rules_control_rejected() {
    let p = PasswordPolicy::nist_800_63b();
    assert!(check(&p, "correct horse battery staple").is_ok());
    assert!(check(&p, "すもももももももものうちですよ").is_ok());
    assert!(check(&p, "ＦＵＬＬＷＩＤＴＨ　ｉｓ　ｆｉｎｅ").is_ok());
    assert!(check(&p, "aaaaaaaaaaaaaaaaaaaa").is_ok());
    assert_eq!(
        check(&p, "tab\there is not printable").violations(),
        [Violation::DisallowedCharacter {
            character: '\t',
            position: 4
        }]
    );
}

#[test]
fn nist_blocklist_case_insensitive() {
    let p = PasswordPolicy::nist_800_63b();
    // Entries of the shipped list that are 15+ characters long.
    assert!(
        regcore::policy::COMMON_PASSWORDS
            .lines()
            .any(|l| l == "1q2w3e4r5t6y7u8i9o0p")
    );
    assert_eq!(
        codes(&p, "1q2w3e4r5t6y7u8i9o0p"),
        ["password.common_password"]
    );
    assert_eq!(
        codes(&p, "1Q2W3E4R5T6Y7U8I9O0P"),
        ["password.common_password"]
    );
    assert_eq!(
        codes(&p, "123456789987654321"),
        ["password.common_password"]
    );
    // The MFA variant (8+) catches the short common ones.
    let mfa = PasswordPolicy::nist_800_63b_mfa();
    assert_eq!(mfa.parts().min_length, 8);
    assert_eq!(codes(&mfa, "password"), ["password.common_password"]);
    assert_eq!(codes(&mfa, "PassWord"), ["password.common_password"]);
    assert_eq!(codes(&mfa, "Password1"), ["password.common_password"]);
    assert_eq!(codes(&mfa, "passwor"), ["password.too_short"]);
    assert!(check(&mfa, "zq8#Lm!v").is_ok());
    assert_eq!(codes(&mfa, "1234567"), ["password.too_short"]);
    let n = regcore::policy::COMMON_PASSWORDS.lines().count();
    assert!((8000..9000).contains(&n), "{n}");
    assert!(
        regcore::policy::COMMON_PASSWORDS
            .lines()
            .all(|l| l.chars().count() >= 8 && l == l.to_lowercase())
    );
}

#[test]
fn every_blocklist_entry_is_found_and_the_list_is_sorted() {
    let list = regcore::policy::COMMON_PASSWORDS;
    let lines: Vec<&str> = list.lines().collect();
    assert!(
        lines.windows(2).all(|w| w[0].as_bytes() < w[1].as_bytes()),
        "sorted, unique"
    );
    let mut parts = PasswordPolicy::nist_800_63b().into_parts();
    parts.min_length = 1;
    parts.max_length = 1024;
    let p = PasswordPolicy::new(parts).unwrap();
    for entry in &lines {
        let found = codes(&p, entry);
        assert!(found.contains(&"password.common_password"), "{entry:?}");
        // With one more character it is no longer on the list.
        let longer = format!("{entry}\u{2603}");
        assert!(
            !codes(&p, &longer).contains(&"password.common_password"),
            "{longer:?}"
        );
    }
    for absent in [
        "",
        "\u{0}",
        "~~~~~~~~~~~~~~~~",
        "!!!!!!!",
        "zzzzzzzzzzzzzzzzzzzzzzzz",
    ] {
        assert!(
            !codes(&p, absent).contains(&"password.common_password"),
            "{absent:?}"
        );
    }
}

#[test]
fn nist_user_id_containment() {
    let p = PasswordPolicy::nist_800_63b();
    let ctx = CheckContext::new().with_user_id("Taro.Yamada@example.jp");
    let bad = p.check("my name is taro.yamada, hi", &ctx);
    assert_eq!(bad.codes(), ["password.contains_user_id"]);
    assert_eq!(
        bad.diagnostics()[0].params,
        vec![("field".to_owned(), "user_id".to_owned())]
    );
    assert_eq!(
        p.check("prefix TARO.YAMADA@EXAMPLE.JP", &ctx).codes(),
        ["password.contains_user_id"]
    );
    assert!(p.check("a long passphrase without it", &ctx).is_ok());

    let ctx = CheckContext::new()
        .with_user_id("dealer_01")
        .with_email("kubo@example.com");
    assert_eq!(
        p.check("xxkuboxx-long-enough", &ctx).violations(),
        [Violation::ContainsUserId {
            field: regcore::policy::IdentityField::Email
        }]
    );
    assert_eq!(
        p.check("DEALER_01 is my password", &ctx).codes(),
        ["password.contains_user_id"]
    );
    // Without the context the rule cannot apply.
    assert!(
        p.check("DEALER_01 is my password", &CheckContext::new())
            .is_ok()
    );
    // IDs shorter than 3 characters are only compared for equality.
    let ctx = CheckContext::new().with_user_id("ab");
    assert!(p.check("abcdefghijklmnopq", &ctx).is_ok());
}

#[test]
fn nist_has_no_expiry() {
    assert_eq!(PasswordPolicy::nist_800_63b().parts().max_age_days, None);
}

// --- names and JSON -----------------------------------------------------------

#[test]
fn preset_lookup_by_name() {
    let names = PasswordPolicy::preset_names();
    assert_eq!(
        names,
        [
            "ups_site",
            "monitoring_service",
            "kms",
            "device_admin_pin",
            "nist_800_63b",
            "nist_800_63b_mfa"
        ]
    );
    assert_eq!(PasswordPolicy::preset("kms"), Ok(PasswordPolicy::kms()));
    assert_eq!(
        PasswordPolicy::preset("ups_site"),
        Ok(PasswordPolicy::ups_site())
    );
    for name in ["nope", "KMS", "ups_site\u{202E}"] {
        let err = PasswordPolicy::preset(name).unwrap_err();
        assert_eq!(err.code(), "policy.unknown_preset");
        assert_eq!(err.kind(), regcore::ErrorKind::Configuration);
        assert_eq!(err.params()[0], ("name", name.to_owned()));
        assert!(
            err.message_ja().contains("ups_site"),
            "{}",
            err.message_ja()
        );
    }
    let err = PasswordPolicy::preset("ups_site\u{202E}").unwrap_err();
    assert!(err.message_en().contains("ups_site<U+202E>"));
    assert!(err.message_ja().contains("「ups_site<U+202E>」"));
}

#[test]
fn every_preset_round_trips_through_json_and_is_valid() {
    for name in PasswordPolicy::preset_names() {
        let policy = PasswordPolicy::preset(name).unwrap();
        let json = serde_json::to_string(&policy).unwrap();
        let back: PasswordPolicy = serde_json::from_str(&json).unwrap();
        assert_eq!(back, policy, "{name}");
        // Presets pass their own validation.
        assert_eq!(
            PasswordPolicy::new(policy.clone().into_parts()).unwrap(),
            policy
        );
    }
    let json = serde_json::to_value(PasswordPolicy::kms()).unwrap();
    assert_eq!(json["min_length"], 8);
    assert_eq!(json["alphabet"]["kind"], "ascii");
    assert_eq!(json["forbid_sequential_run"], 4);
}

#[test]
fn messages_exist_in_both_languages() {
    let p = PasswordPolicy::ups_site();
    let report = check(&p, "あ");
    for v in report.violations() {
        assert!(!v.message_en().is_empty() && !v.message_ja().is_empty());
        assert_ne!(v.message_en(), v.message_ja());
        assert!(v.code().starts_with("password."));
    }
}
