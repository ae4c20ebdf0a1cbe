//! Frozen one-time-code vectors (core/tests/vectors/codes.json): recomputed
//! through the public API. The file is never edited.
#![allow(clippy::arithmetic_side_effects)]

use chrono::{TimeZone, Utc};
use regcore::code::{CodePolicy, CodePurpose, CodeSecret, CodeState, derive_key, hotp6};
use serde_json::Value;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digits"))
        .collect()
}

#[test]
fn codes_json() {
    let doc: Value = serde_json::from_str(include_str!("vectors/codes.json")).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 20);
    let now = Utc.with_ymd_and_hms(2025, 4, 1, 9, 0, 0).unwrap();
    for (i, case) in cases.iter().enumerate() {
        let secret = CodeSecret::new(&hex(case["secret_hex"].as_str().unwrap())).unwrap();
        let purpose: CodePurpose = serde_json::from_value(case["purpose"].clone()).unwrap();
        let subject = case["subject"].as_str().unwrap();
        let state = CodeState {
            series: u32::try_from(case["series"].as_u64().unwrap()).unwrap(),
            generation: u32::try_from(case["generation"].as_u64().unwrap()).unwrap(),
            issued_at: now,
            attempts: 0,
            used: false,
        };
        let key = derive_key(&secret, purpose, subject).unwrap();
        assert_eq!(
            key.to_vec(),
            hex(case["key_hex"].as_str().unwrap()),
            "case {i} key"
        );
        assert_eq!(
            format!("{:016x}", state.counter()),
            case["counter_hex"],
            "case {i} counter"
        );
        let code = case["code"].as_str().unwrap();
        assert_eq!(
            format!("{:06}", hotp6(&*key, state.counter())),
            code,
            "case {i} code"
        );

        // The same code through the issue/verify API.
        let policy = CodePolicy {
            purpose,
            lifetime_secs: 3600,
            max_attempts: 5,
        };
        assert_eq!(
            policy.verify(&secret, subject, code, &state, now).result,
            Ok(()),
            "case {i}"
        );
        if state.generation > 1 {
            let previous = CodeState {
                generation: state.generation - 1,
                ..state
            };
            let (issued, sent) = policy
                .issue(&secret, subject, Some(&previous), now)
                .unwrap();
            assert_eq!(issued.counter(), state.counter());
            assert_eq!(sent.as_str(), code, "case {i} issue");
        }
    }
}
