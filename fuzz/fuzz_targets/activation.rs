//! Activation key number + registration ID as typed on the KMS screen.
//!
//! Field 1 is the number, field 2 the registration ID: each parses or fails
//! with an `identifier.` code. A parsed pair checks under the real and the
//! demo authority or fails with `activation.authentication_failed`; a pair
//! that checks re-mints to itself (the number and ID determine product and
//! serial, and back). Minting from the raw bytes always checks.
#![no_main]

use libfuzzer_sys::fuzz_target;
use regcore::activation::{ActivationAuthority, ActivationKey, MAX_SERIAL};
use regcore::ids::{ActivationNumber, RegistrationId};
use regcore_fuzz::{Bytes, assert_coded, fields, master};

fuzz_target!(|data: &[u8]| {
    let m = master();
    let authorities = [
        ActivationAuthority::new(&m),
        ActivationAuthority::new(&m.demo()),
    ];
    let [number, reg_id] = fields::<2>(data);
    let number = ActivationNumber::parse(&number);
    let reg_id = RegistrationId::parse(&reg_id);
    for e in [number.as_ref().err(), reg_id.as_ref().err()]
        .into_iter()
        .flatten()
    {
        assert_coded(e, &["identifier."]);
    }
    if let (Ok(number), Ok(registration_id)) = (number, reg_id) {
        let key = ActivationKey {
            number,
            registration_id,
        };
        let mut accepted = 0;
        for a in &authorities {
            match key.verify(&a) {
                Ok(info) => {
                    accepted += 1;
                    assert!(info.serial <= MAX_SERIAL);
                    assert_eq!(a.mint(info.product, info.serial), Ok(key));
                }
                Err(e) => assert_coded(&e, &["activation.authentication_failed"]),
            }
        }
        // Real and demo IDs are independent 32-bit MACs; both at once
        // would be a 2^-32 coincidence, so treat it as a finding.
        assert!(accepted <= 1, "{key:?} checks as both real and demo");
    }

    let mut b = Bytes(data);
    let product = b.u16();
    let serial = b.u64();
    let a = &authorities[usize::from(b.u8() & 1)];
    match a.mint(product, serial) {
        Ok(key) => {
            assert!(serial <= MAX_SERIAL);
            let info = key.verify(&a).expect("a minted key checks");
            assert_eq!((info.product, info.serial), (product, serial));
            assert_eq!(
                ActivationNumber::parse(&key.number.to_string()),
                Ok(key.number)
            );
            assert_eq!(
                RegistrationId::parse(&key.registration_id.to_string()),
                Ok(key.registration_id)
            );
        }
        Err(e) => {
            assert!(serial > MAX_SERIAL);
            assert_coded(&e, &["activation.serial_out_of_range"]);
        }
    }
});
