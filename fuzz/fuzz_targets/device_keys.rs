//! `DeviceKey::from_hex` and the gateway printed password.
//!
//! Field 1 is a device key in hex: parses or fails with
//! `keys.device_key_format`; a parsed key round-trips through `to_hex`.
//! Field 2 is a typed gateway password: parse/verify never panic, errors are
//! `gateway_password.*`; a parsed password is 13 alphabet characters and
//! re-parses to itself; verify accepts exactly the derived password.
#![no_main]

use libfuzzer_sys::fuzz_target;
use regcore::keys::{DeviceKey, GATEWAY_PASSWORD_ALPHABET, GATEWAY_PASSWORD_LEN, GatewayPassword};
use regcore_fuzz::{assert_coded, device_key, fields};

fuzz_target!(|data: &[u8]| {
    let [hex, typed] = fields::<2>(data);

    let key = match DeviceKey::from_hex(&hex) {
        Ok(k) => {
            let lower = k.to_hex();
            assert_eq!(lower.len(), 64);
            assert!(
                lower
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            );
            assert_eq!(DeviceKey::from_hex(&lower).as_ref(), Ok(&k));
            assert_eq!(DeviceKey::from_hex(&lower.to_uppercase()).as_ref(), Ok(&k));
            assert_eq!(&DeviceKey::from_bytes(*k.to_bytes()), &k);
            // The error never echoes the input; Debug is redacted.
            assert_eq!(format!("{k:?}"), "DeviceKey(<redacted>)");
            k
        }
        Err(e) => {
            assert_coded(&e, &["keys.device_key_format"]);
            device_key()
        }
    };

    let derived = GatewayPassword::derive(&key);
    let derived_text = derived.expose();
    assert_eq!(derived_text.len(), GATEWAY_PASSWORD_LEN);
    assert_eq!(GatewayPassword::parse(&derived_text).and_then(|typed| typed.verify(&key)), Ok(()));

    match GatewayPassword::parse(&typed) {
        Ok(p) => {
            let text = p.expose();
            assert_eq!(text.len(), GATEWAY_PASSWORD_LEN);
            assert!(text.bytes().all(|b| GATEWAY_PASSWORD_ALPHABET.contains(&b)));
            assert_eq!(GatewayPassword::parse(&text).as_ref(), Ok(&p));
            assert_eq!(
                GatewayPassword::parse(&text.to_uppercase()).as_ref(),
                Ok(&p)
            );
            let verdict = GatewayPassword::parse(&typed).and_then(|typed| typed.verify(&key));
            assert_eq!(verdict.is_ok(), p == derived);
            if let Err(e) = verdict {
                assert_coded(&e, &["gateway_password.mismatch"]);
            }
        }
        Err(e) => {
            assert_coded(&e, &["gateway_password."]);
            assert_eq!(GatewayPassword::parse(&typed).and_then(|typed| typed.verify(&key)), Err(e));
        }
    }
});
