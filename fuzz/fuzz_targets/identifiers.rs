//! Every identifier parser: any string parses or errors; what parses
//! round-trips through its display form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use regcore::{
    ActivationNumber, Coded, DealerId, EmailAddress, GatewayId, KmsLoginId, MprId, PhoneNumber,
    RegistrationId, UpsSerial,
};

macro_rules! round_trip {
    ($ty:ty, $s:expr) => {
        match <$ty>::parse($s) {
            Ok(v) => assert_eq!(<$ty>::parse(&v.to_string()).ok(), Some(v)),
            Err(e) => assert!(e.code().starts_with("identifier.")),
        }
    };
}

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    round_trip!(MprId, &s);
    round_trip!(ActivationNumber, &s);
    round_trip!(RegistrationId, &s);
    round_trip!(UpsSerial, &s);
    round_trip!(GatewayId, &s);
    round_trip!(PhoneNumber, &s);
    round_trip!(DealerId, &s);
    round_trip!(KmsLoginId, &s);
    round_trip!(EmailAddress, &s);
});
