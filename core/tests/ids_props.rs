//! Property tests for identifiers: canonical display round-trips, and any
//! input either parses or returns a typed error (never panics).
// Round trips go through Display on purpose.
#![allow(clippy::arithmetic_side_effects, clippy::unnecessary_to_owned)]

use proptest::prelude::*;
use regcore::{
    ActivationNumber, Coded, DealerId, EmailAddress, GatewayId, KmsLoginId, MprId, PhoneNumber,
    RegistrationId, UpsSerial,
};

/// Turn ASCII into its full-width form (what a Japanese IME produces).
fn to_fullwidth(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(u32::from(c) - 0x21 + 0xFF01)
                .expect("full-width forms of ASCII are chars"),
            ' ' => '\u{3000}',
            _ => c,
        })
        .collect()
}

proptest! {
    #[test]
    fn mpr_id_round_trips(v in any::<u64>()) {
        let id = MprId::from_u64(v);
        prop_assert_eq!(MprId::parse(&id.to_string()).unwrap(), id);
        prop_assert_eq!(MprId::parse(&id.compact().to_lowercase()).unwrap(), id);
        prop_assert_eq!(MprId::parse(&to_fullwidth(&id.to_string())).unwrap(), id);
    }

    #[test]
    fn activation_number_round_trips(v in any::<u64>()) {
        let id = ActivationNumber::from_u64(v);
        prop_assert_eq!(ActivationNumber::parse(&id.to_string()).unwrap(), id);
    }

    #[test]
    fn registration_id_round_trips(v in any::<u32>()) {
        let id = RegistrationId::from_u32(v);
        prop_assert_eq!(RegistrationId::parse(&id.to_string()).unwrap(), id);
    }

    #[test]
    fn compact_ids_round_trip(serial in "[A-Z0-9]{1,32}", gw in "[A-Z0-9]{12}", phone in "[0-9]{10,11}") {
        let s = UpsSerial::parse(&serial).unwrap();
        prop_assert_eq!(UpsSerial::parse(&s.to_string()).unwrap(), s.clone());
        prop_assert_eq!(UpsSerial::parse(&to_fullwidth(&serial.to_lowercase())).unwrap(), s);
        let g = GatewayId::parse(&gw).unwrap();
        prop_assert_eq!(GatewayId::parse(&g.to_string()).unwrap(), g);
        let p = PhoneNumber::parse(&phone).unwrap();
        prop_assert_eq!(PhoneNumber::parse(&p.to_string()).unwrap(), p);
    }

    #[test]
    fn case_sensitive_ids_round_trip(dealer in "[A-Za-z0-9_-]{3,16}", login in "[A-Za-z0-9]{8,10}") {
        let d = DealerId::parse(&dealer).unwrap();
        prop_assert_eq!(d.as_str(), dealer.as_str());
        prop_assert_eq!(DealerId::parse(&d.to_string()).unwrap(), d);
        let l = KmsLoginId::parse(&login).unwrap();
        prop_assert_eq!(KmsLoginId::parse(&l.to_string()).unwrap(), l);
    }

    #[test]
    fn email_round_trips(local in "[a-z0-9]{1,20}(\\.[a-z0-9]{1,10})?", domain in "[a-z0-9]{1,20}\\.(jp|com|co\\.jp)") {
        let e = EmailAddress::parse(&format!("{local}@{domain}")).unwrap();
        prop_assert_eq!(EmailAddress::parse(&e.to_string()).unwrap(), e);
    }

    #[test]
    fn any_string_parses_or_errors_with_a_code(s in any::<String>()) {
        let results: Vec<Option<&'static str>> = vec![
            MprId::parse(&s).err().map(|e| e.code()),
            ActivationNumber::parse(&s).err().map(|e| e.code()),
            RegistrationId::parse(&s).err().map(|e| e.code()),
            UpsSerial::parse(&s).err().map(|e| e.code()),
            GatewayId::parse(&s).err().map(|e| e.code()),
            PhoneNumber::parse(&s).err().map(|e| e.code()),
            DealerId::parse(&s).err().map(|e| e.code()),
            KmsLoginId::parse(&s).err().map(|e| e.code()),
            EmailAddress::parse(&s).err().map(|e| e.code()),
        ];
        for code in results.into_iter().flatten() {
            prop_assert!(code.starts_with("identifier."));
        }
    }

    #[test]
    fn errors_have_both_messages(s in "\\PC{0,40}") {
        if let Err(e) = MprId::parse(&s) {
            prop_assert!(!e.message_en().is_empty());
            prop_assert!(!e.message_ja().is_empty());
            let d = e.to_diagnostic();
            prop_assert_eq!(d.code.as_str(), e.code());
        }
    }
}
