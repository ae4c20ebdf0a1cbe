//! Registration key: any typed string parses or errors with a `regkey.`
//! code; parse → display → parse and the compact form round-trip;
//! terminal-side verification with a fixed device key never panics and only
//! fails with `regkey.authentication_failed`; a key derived from fuzzed
//! (activation number, product) verifies to that product.
#![no_main]

use libfuzzer_sys::fuzz_target;
use regcore::ids::ActivationNumber;
use regcore::regkey::RegistrationKey;
use regcore_fuzz::{Bytes, assert_coded, device_key};

fuzz_target!(|data: &[u8]| {
    let k_dev = device_key();
    let s = String::from_utf8_lossy(data);
    match RegistrationKey::parse(&s) {
        Ok(k) => {
            let shown = k.to_string();
            assert_eq!(shown.len(), 19);
            assert_eq!(RegistrationKey::parse(&shown), Ok(k));
            assert_eq!(RegistrationKey::parse(&k.compact()), Ok(k));
            assert_eq!(RegistrationKey::from_u64(k.as_u64()), k);
            if let Err(e) = k.verify(&k_dev) {
                assert_coded(&e, &["regkey.authentication_failed"]);
            }
        }
        Err(e) => assert_coded(&e, &["regkey."]),
    }
    // Independently, the raw bytes as a key value and as derivation inputs.
    let mut b = Bytes(data);
    let raw = RegistrationKey::from_u64(b.u64());
    if let Err(e) = raw.verify(&k_dev) {
        assert_coded(&e, &["regkey.authentication_failed"]);
    }
    let number = ActivationNumber::from_u64(b.u64());
    let product = b.u16();
    let derived = RegistrationKey::derive(&k_dev, number, product);
    assert_eq!(derived.verify(&k_dev), Ok(product));
    assert_eq!(RegistrationKey::derive(&k_dev, number, product), derived);
});
