//! Property tests for unlock keys: determinism, parse/display round trips,
//! device isolation and demo separation.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    missing_docs
)]

use proptest::prelude::*;
use regcore::Coded;
use regcore::activation::{ActivationAuthority, MAX_SERIAL};
use regcore::ids::{ActivationNumber, MprId, UpsSerial};
use regcore::keycode::KeyCode;
use regcore::keys::{Device, GatewayPassword, MasterSecret};
use regcore::regkey::RegistrationKey;

fn master() -> MasterSecret {
    MasterSecret::new(9, b"property-test master secret, 32+ bytes long")
        .expect("a master of 32+ bytes")
}

fn to_fullwidth(s: &str) -> String {
    s.chars()
        .map(|c| {
            if ('!'..='~').contains(&c) {
                char::from_u32(c as u32 - 0x21 + 0xFF01)
                    .expect("full-width forms of ASCII are chars")
            } else {
                c
            }
        })
        .collect()
}

proptest! {
    #[test]
    fn key_code_round_trips(v in 0u16..=1023, fullwidth: bool, spaced: bool) {
        let k = KeyCode::from_u16(v).unwrap();
        for form in [k.decimal(), k.binary()] {
            let mut typed = if spaced { form.chars().flat_map(|c| [c, ' ']).collect() } else { form.clone() };
            if fullwidth { typed = to_fullwidth(&typed); }
            prop_assert_eq!(KeyCode::parse(&typed).unwrap(), k);
        }
        prop_assert_eq!(k.to_string().parse::<KeyCode>().unwrap(), k);
    }

    #[test]
    fn key_code_parse_never_panics(s in "\\PC{0,16}") {
        if let Err(e) = KeyCode::parse(&s) {
            prop_assert!(e.code().starts_with("keycode."));
        }
    }

    #[test]
    fn registration_key_round_trips(v: u64, lower: bool, fullwidth: bool) {
        let k = RegistrationKey::from_u64(v);
        let mut typed = if lower { k.compact().to_lowercase() } else { k.to_string() };
        if fullwidth { typed = to_fullwidth(&typed); }
        prop_assert_eq!(RegistrationKey::parse(&typed).unwrap(), k);
        let json = serde_json::to_string(&k).unwrap();
        prop_assert_eq!(serde_json::from_str::<RegistrationKey>(&json).unwrap(), k);
    }

    #[test]
    fn derivations_are_deterministic(mpr: u64, number: u64, product: u16, serial in 0..=MAX_SERIAL) {
        let (a, b) = (master(), master());
        let mpr = MprId::from_u64(mpr);
        let number = ActivationNumber::from_u64(number);
        prop_assert_eq!(
            RegistrationKey::issue(&a, mpr, number, product),
            RegistrationKey::issue(&b, mpr, number, product)
        );
        prop_assert_eq!(
            ActivationAuthority::new(&a).mint(product, serial).unwrap(),
            ActivationAuthority::new(&b).mint(product, serial).unwrap()
        );
    }

    #[test]
    fn registration_key_verifies_only_on_its_terminal(mpr: u64, other: u64, number: u64, product: u16) {
        prop_assume!(mpr != other);
        let m = master();
        let (mpr, other) = (MprId::from_u64(mpr), MprId::from_u64(other));
        let key = RegistrationKey::issue(&m, mpr, ActivationNumber::from_u64(number), product);
        prop_assert_eq!(key.verify(&m.device_key(Device::Terminal(mpr))), Ok(product));
        // 2^-32 false-accept odds: a sampled hit would be a bug, not luck.
        prop_assert!(key.verify(&m.device_key(Device::Terminal(other))).is_err());
        prop_assert!(key.verify(&m.demo().device_key(Device::Terminal(mpr))).is_err());
        let demo_key = RegistrationKey::issue(&m.demo(), mpr, ActivationNumber::from_u64(number), product);
        prop_assert!(demo_key.verify(&m.device_key(Device::Terminal(mpr))).is_err());
    }

    #[test]
    fn activation_mint_checks_and_recovers_product(product: u16, serial in 0..=MAX_SERIAL, flip in 0u32..32) {
        let a = ActivationAuthority::new(&master());
        let key = a.mint(product, serial).unwrap();
        let info = key.verify(&a).unwrap();
        prop_assert_eq!((info.product, info.serial), (product, serial));
        let mut bad = key;
        bad.registration_id = regcore::ids::RegistrationId::from_u32(key.registration_id.as_u32() ^ (1 << flip));
        prop_assert!(bad.verify(&a).is_err());
        prop_assert!(key.verify(&ActivationAuthority::new(&master().demo())).is_err());
    }

    #[test]
    fn key_code_verifies_own_serial(serial in "[A-Z0-9]{1,32}") {
        let m = master();
        let id = UpsSerial::parse(&serial).unwrap();
        let k_dev = m.device_key(Device::Ups(&id));
        let code = KeyCode::for_serial(&m, &id);
        prop_assert!(code.verify(&k_dev).is_ok());
        let wrong = KeyCode::from_u16((code.value() + 1) % 1024).unwrap();
        prop_assert_eq!(wrong.verify(&k_dev).unwrap_err().code(), "keycode.mismatch");
    }

    #[test]
    fn gateway_password_accepts_typed_variants(gw in "[A-Z0-9]{12}") {
        let m = master();
        let id = regcore::ids::GatewayId::parse(&gw).unwrap();
        let pw = GatewayPassword::for_gateway(&m, &id).expose().to_string();
        prop_assert!(GatewayPassword::verify_pair(&m, &id, &to_fullwidth(&pw.to_uppercase())).is_ok());
        prop_assert!(GatewayPassword::verify_pair(&m.demo(), &id, &pw).is_err());
    }
}

#[test]
fn device_keys_are_isolated_by_kind_and_id() {
    let m = master();
    let serial = UpsSerial::parse("ABCDEF123456").unwrap();
    let gw = regcore::ids::GatewayId::parse("ABCDEF123456").unwrap();
    // Same identity string, different kinds: different keys.
    assert_ne!(
        m.device_key(Device::Ups(&serial)),
        m.device_key(Device::Gateway(&gw))
    );
    let other = MasterSecret::new(9, b"another master secret that is 32+ bytes").unwrap();
    assert_ne!(
        m.device_key(Device::Ups(&serial)),
        other.device_key(Device::Ups(&serial))
    );
}
