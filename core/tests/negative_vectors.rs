//! Appended vectors (core/tests/vectors/code_outcomes.json and
//! token_failures.json): every verification outcome of a one-time code, the
//! issue edge cases of `series` and `generation`, and every way a link token
//! is refused, with the order of the checks. The Python and Node vector
//! tests read the same files. The files are only ever appended to.
#![allow(clippy::arithmetic_side_effects)]

use chrono::DateTime;
use regcore::code::derive_key;
use regcore::{
    CodePolicy, CodePurpose, CodeSecret, CodeState, Coded, Keyring, LinkPolicy, PhoneNumber,
    ProvisionalRegistration,
};
use serde_json::Value;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digits"))
        .collect()
}

fn at(v: &Value) -> chrono::DateTime<chrono::Utc> {
    DateTime::from_timestamp(v.as_i64().expect("Unix seconds"), 0).expect("a representable time")
}

fn param(coded: &dyn Coded, name: &str) -> Option<String> {
    coded
        .params()
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

#[test]
fn code_outcomes_json() {
    let doc: Value = serde_json::from_str(include_str!("vectors/code_outcomes.json")).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 20);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let secret = CodeSecret::new(&hex(case["secret_hex"].as_str().unwrap())).unwrap();
        let purpose: CodePurpose = serde_json::from_value(case["purpose"].clone()).unwrap();
        let policy = CodePolicy {
            purpose,
            lifetime_secs: case["lifetime_secs"].as_u64().unwrap(),
            max_attempts: u32::try_from(case["max_attempts"].as_u64().unwrap()).unwrap(),
        };
        let state = CodeState::decode(case["state"].as_str().unwrap()).unwrap();
        let v = policy.verify(
            &secret,
            case["subject"].as_str().unwrap(),
            case["typed"].as_str().unwrap(),
            &state,
            at(&case["now"]),
        );
        assert_eq!(v.state.encode(), case["state_after"], "{name} state");
        match v.result {
            Ok(()) => assert!(case["ok"].as_bool().unwrap(), "{name} accepted"),
            Err(r) => {
                assert!(!case["ok"].as_bool().unwrap(), "{name} refused: {r:?}");
                assert_eq!(r.code(), case["error"], "{name}");
                assert_eq!(
                    param(&r, "attempts_left"),
                    case["attempts_left"].as_u64().map(|n| n.to_string()),
                    "{name} attempts_left"
                );
            }
        }
    }
    let issues = doc["issues"].as_array().unwrap();
    assert!(issues.len() >= 6);
    for case in issues {
        let name = case["name"].as_str().unwrap();
        let secret = CodeSecret::new(&hex(case["secret_hex"].as_str().unwrap())).unwrap();
        let purpose: CodePurpose = serde_json::from_value(case["purpose"].clone()).unwrap();
        let subject = case["subject"].as_str().unwrap();
        let previous = case["previous"]
            .as_str()
            .map(|s| CodeState::decode(s).unwrap());
        let policy = CodePolicy {
            purpose,
            lifetime_secs: 3600,
            max_attempts: 5,
        };
        let (state, code) = policy
            .issue(&secret, subject, previous.as_ref(), at(&case["now"]))
            .unwrap();
        assert_eq!(state.encode(), case["state"], "{name}");
        assert_eq!(
            u64::from(state.series),
            case["series"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(
            format!("{:016x}", state.counter()),
            case["counter_hex"],
            "{name}"
        );
        assert_eq!(code.as_str(), case["code"], "{name}");
        let key = derive_key(&secret, purpose, subject).unwrap();
        assert_eq!(
            key.to_vec(),
            hex(case["key_hex"].as_str().unwrap()),
            "{name}"
        );
    }
}

#[test]
fn token_failures_json() {
    let doc: Value = serde_json::from_str(include_str!("vectors/token_failures.json")).unwrap();
    let mut keys = doc["keys"].as_array().unwrap().iter().map(|k| {
        (
            u32::try_from(k["key_id"].as_u64().unwrap()).unwrap(),
            CodeSecret::new(&hex(k["secret_hex"].as_str().unwrap())).unwrap(),
        )
    });
    let (first_id, first) = keys.next().unwrap();
    let ring = keys.fold(Keyring::new(first_id, first), |r, (id, s)| {
        r.with_key(id, s)
    });
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 20);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let link = LinkPolicy {
            purpose: case["purpose"].as_str().unwrap().to_owned(),
            lifetime_secs: 3600,
        };
        let token = case["token"].as_str().unwrap();
        let generation = u32::try_from(case["current_generation"].as_u64().unwrap()).unwrap();
        let binding = hex(case["binding_hex"].as_str().unwrap());
        let now = at(&case["now"]);
        let result = match case["check"].as_str().unwrap() {
            "verify" => link.verify(&ring, token, generation, &binding, now),
            "complete" => {
                let phone = PhoneNumber::parse(case["phone"].as_str().unwrap()).unwrap();
                ProvisionalRegistration { link }
                    .complete(&ring, token, &phone, generation, &binding, now)
            }
            other => panic!("{name}: unknown check {other}"),
        };
        match result {
            Ok(_) => assert!(case["ok"].as_bool().unwrap(), "{name} accepted"),
            Err(e) => {
                assert!(!case["ok"].as_bool().unwrap(), "{name} refused: {e:?}");
                assert_eq!(e.code(), case["error"], "{name}");
                assert_eq!(
                    param(&e, "reason"),
                    case["reason"].as_str().map(str::to_owned),
                    "{name} reason"
                );
            }
        }
    }
}
