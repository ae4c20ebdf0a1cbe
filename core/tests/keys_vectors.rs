//! Recomputes every frozen vector in `vectors/keys.json` (never edit that
//! file: a changed output is a new algorithm version).
#![allow(
    clippy::cast_possible_truncation,
    clippy::arithmetic_side_effects,
    missing_docs
)]

use regcore::Coded;
use regcore::activation::{ActivationAuthority, ActivationKey};
use regcore::ids::{ActivationNumber, GatewayId, MprId, RegistrationId, UpsSerial};
use regcore::keycode::KeyCode;
use regcore::keys::{Device, DeviceKey, GatewayPassword, MasterSecret};
use regcore::regkey::RegistrationKey;
use serde_json::Value;

const VECTORS: &str = include_str!("vectors/keys.json");

struct Vectors(Value);

impl Vectors {
    fn load() -> Self {
        Self(serde_json::from_str(VECTORS).expect("keys.json parses"))
    }
    #[expect(
        clippy::indexing_slicing,
        reason = "serde_json indexing yields Null, never panics"
    )]
    fn cases(&self, name: &str) -> &Vec<Value> {
        let v = self.0[name].as_array().expect("a list of cases");
        assert!(v.len() >= 20, "{name}: only {} cases", v.len());
        v
    }
    #[expect(
        clippy::indexing_slicing,
        reason = "serde_json indexing yields Null, never panics"
    )]
    fn master(&self, case: &Value, demo_field: &str) -> MasterSecret {
        let name = case["master"].as_str().expect("a master name");
        let m = &self.0["masters"][name];
        let bytes = unhex(m["hex"].as_str().expect("master hex"));
        let master = MasterSecret::new(m["key_id"].as_u64().expect("a key id") as u32, &bytes)
            .expect("a master of 32-64 bytes");
        if case[demo_field].as_bool().expect("a demo flag") {
            master.demo()
        } else {
            master
        }
    }
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digits"))
        .collect()
}

fn s<'a>(case: &'a Value, field: &str) -> &'a str {
    case[field].as_str().expect("a string field")
}

#[test]
fn device_keys() {
    let v = Vectors::load();
    let mut kinds = std::collections::BTreeSet::new();
    for c in v.cases("device_keys") {
        let m = v.master(c, "demo");
        let input = s(c, "input");
        let kind = s(c, "kind");
        kinds.insert(kind.to_owned());
        let (key, id) = match kind {
            "ups" => {
                let id = UpsSerial::parse(input).unwrap();
                (m.device_key(Device::Ups(&id)), id.as_str().to_owned())
            }
            "gateway" => {
                let id = GatewayId::parse(input).unwrap();
                (m.device_key(Device::Gateway(&id)), id.as_str().to_owned())
            }
            "terminal" => {
                let id = MprId::parse(input).unwrap();
                (m.device_key(Device::Terminal(id)), id.compact())
            }
            "activation" => (m.activation_key(), String::new()),
            other => panic!("unknown kind {other}"),
        };
        assert_eq!(id, s(c, "id"));
        assert_eq!(*key.to_hex(), s(c, "k_dev"), "{c}");
        assert_eq!(DeviceKey::from_hex(s(c, "k_dev")).unwrap(), key);
    }
    assert_eq!(kinds.len(), 4);
}

#[test]
fn key_codes() {
    let v = Vectors::load();
    for c in v.cases("key_codes") {
        let m = v.master(c, "demo");
        let serial = UpsSerial::parse(s(c, "serial_input")).unwrap();
        assert_eq!(serial.as_str(), s(c, "serial"));
        let code = KeyCode::for_serial(&m, &serial);
        assert_eq!(u64::from(code.value()), c["value"].as_u64().unwrap());
        assert_eq!(code.decimal(), s(c, "decimal"));
        assert_eq!(code.binary(), s(c, "binary"));
        // Both displayed forms parse back and verify on the device.
        let k_dev = m.device_key(Device::Ups(&serial));
        for form in [s(c, "decimal"), s(c, "binary")] {
            assert!(KeyCode::parse(form).unwrap().verify(&k_dev).is_ok());
        }
    }
}

#[test]
fn key_code_parsing() {
    let v = Vectors::load();
    for c in v.cases("key_code_parse") {
        let r = KeyCode::parse(s(c, "input"));
        match c.get("error") {
            Some(e) => assert_eq!(r.unwrap_err().code(), e.as_str().unwrap(), "{c}"),
            None => assert_eq!(u64::from(r.unwrap().value()), c["value"].as_u64().unwrap()),
        }
    }
}

#[test]
fn gateway_passwords() {
    let v = Vectors::load();
    for c in v.cases("gateway_passwords") {
        let m = v.master(c, "demo");
        let id = GatewayId::parse(s(c, "gateway_input")).unwrap();
        assert_eq!(id.as_str(), s(c, "gateway_id"));
        assert_eq!(
            *GatewayPassword::for_gateway(&m, &id).expose(),
            s(c, "password")
        );
    }
    for c in v.cases("gateway_password_checks") {
        let name = s(c, "master");
        let m = v.master(&serde_json::json!({"master": name, "demo": false}), "demo");
        let id = GatewayId::parse(s(c, "gateway_id")).unwrap();
        let r = GatewayPassword::verify_pair(&m, &id, s(c, "typed"));
        assert_eq!(r.is_ok(), c["ok"].as_bool().unwrap(), "{c}");
        assert_eq!(r.err().map(|e| e.code()), c["error"].as_str());
    }
}

#[test]
fn activation_keys() {
    let v = Vectors::load();
    for c in v.cases("activation_mint") {
        let a = ActivationAuthority::new(&v.master(c, "demo"));
        let k = a
            .mint(
                c["product"].as_u64().unwrap() as u16,
                c["serial"].as_u64().unwrap(),
            )
            .unwrap();
        assert_eq!(k.number.to_string(), s(c, "number"));
        assert_eq!(k.registration_id.to_string(), s(c, "registration_id"));
    }
    for c in v.cases("activation_check") {
        let a = ActivationAuthority::new(&v.master(c, "demo"));
        let key = ActivationKey {
            number: ActivationNumber::parse(s(c, "number_input")).unwrap(),
            registration_id: RegistrationId::parse(s(c, "registration_id_input")).unwrap(),
        };
        let r = key.verify(&a);
        assert_eq!(r.is_ok(), c["ok"].as_bool().unwrap(), "{c}");
        assert_eq!(r.ok().map(|i| u64::from(i.product)), c["product"].as_u64());
    }
}

#[test]
fn registration_keys() {
    let v = Vectors::load();
    for c in v.cases("registration_keys") {
        let m = v.master(c, "demo");
        let mpr = MprId::parse(s(c, "mpr_input")).unwrap();
        assert_eq!(mpr.to_string(), s(c, "mpr_id"));
        let number = ActivationNumber::parse(s(c, "activation_number")).unwrap();
        let product = c["product"].as_u64().unwrap() as u16;
        let key = RegistrationKey::issue(&m, mpr, number, product);
        assert_eq!(key.to_string(), s(c, "registration_key"));
    }
    for c in v.cases("registration_key_verify") {
        let m = v.master(c, "demo_device");
        let mpr = MprId::parse(s(c, "mpr_id")).unwrap();
        let k_dev = m.device_key(Device::Terminal(mpr));
        let r = RegistrationKey::parse(s(c, "typed"))
            .unwrap()
            .verify(&k_dev);
        assert_eq!(r.is_ok(), c["ok"].as_bool().unwrap(), "{c}");
        assert_eq!(
            r.as_ref().ok().map(|p| u64::from(*p)),
            c["product"].as_u64()
        );
        assert_eq!(r.err().map(|e| e.code()), c["error"].as_str());
    }
}
