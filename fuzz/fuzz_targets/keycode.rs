//! UPS key code: any typed string parses or errors with a `keycode.` code;
//! a parsed code is at most 1023 and round-trips through both display
//! forms; device-side verification accepts exactly the derived code.
#![no_main]

use libfuzzer_sys::fuzz_target;
use regcore::keycode::KeyCode;
use regcore_fuzz::{assert_coded, device_key};

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    match KeyCode::parse(&s) {
        Ok(k) => {
            assert!(k.value() <= KeyCode::MAX);
            let decimal = k.decimal();
            let binary = k.binary();
            assert_eq!(decimal.len(), 4);
            assert_eq!(binary.len(), 10);
            assert_eq!(k.to_string(), decimal);
            assert_eq!(KeyCode::parse(&decimal), Ok(k));
            assert_eq!(KeyCode::parse(&binary), Ok(k));
            assert_eq!(KeyCode::from_u16(k.value()), Some(k));
            let key = device_key();
            let verdict = k.verify(&key);
            assert_eq!(verdict.is_ok(), k == KeyCode::derive(&key));
            if let Err(e) = verdict {
                assert_eq!(regcore::Coded::code(&e), "keycode.mismatch");
            }
        }
        Err(e) => assert_coded(&e, &["keycode."]),
    }
});
