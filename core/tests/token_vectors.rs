//! Frozen link-token vectors (core/tests/vectors/tokens.json): re-issued and
//! verified through the public API. The file is never edited.
#![allow(clippy::arithmetic_side_effects)]

use chrono::DateTime;
use regcore::PhoneNumber;
use regcore::code::CodeSecret;
use regcore::token::{Keyring, LinkPolicy, ProvisionalRegistration};
use serde_json::Value;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digits"))
        .collect()
}

#[test]
fn tokens_json() {
    let doc: Value = serde_json::from_str(include_str!("vectors/tokens.json")).unwrap();
    let keys: Vec<(u32, Vec<u8>)> = doc["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                u32::try_from(k["key_id"].as_u64().unwrap()).unwrap(),
                hex(k["secret_hex"].as_str().unwrap()),
            )
        })
        .collect();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 20);
    for (i, case) in cases.iter().enumerate() {
        let key_id = u32::try_from(case["key_id"].as_u64().unwrap()).unwrap();
        // A ring holding every key, signing with this case's key.
        let mut ring = Keyring::new(
            key_id,
            CodeSecret::new(&keys.iter().find(|k| k.0 == key_id).unwrap().1).unwrap(),
        );
        for (id, secret) in &keys {
            if *id != key_id {
                ring = ring.with_key(*id, CodeSecret::new(secret).unwrap());
            }
        }
        let policy = LinkPolicy {
            purpose: case["purpose"].as_str().unwrap().to_owned(),
            lifetime_secs: case["lifetime_secs"].as_u64().unwrap(),
        };
        let subject = case["subject"].as_str().unwrap();
        let generation = u32::try_from(case["generation"].as_u64().unwrap()).unwrap();
        let now = DateTime::from_timestamp(case["issued_at"].as_i64().unwrap(), 0).unwrap();
        let binding = hex(case["binding_hex"].as_str().unwrap());
        let expected = case["token"].as_str().unwrap();
        let claims = match case["phone"].as_str() {
            Some(phone) => {
                let reg = ProvisionalRegistration { link: policy };
                let phone = PhoneNumber::parse(phone).unwrap();
                let token = reg
                    .issue(&ring, subject, &phone, generation, &binding, now)
                    .unwrap();
                assert_eq!(token, expected, "case {i}");
                reg.complete(&ring, expected, &phone, generation, &binding, now)
                    .unwrap()
            }
            None => {
                let token = policy
                    .issue(&ring, subject, generation, &binding, now)
                    .unwrap();
                assert_eq!(token, expected, "case {i}");
                policy
                    .verify(&ring, expected, generation, &binding, now)
                    .unwrap()
            }
        };
        assert_eq!(claims.subject, subject);
        assert_eq!(claims.key_id, key_id);
    }
}
