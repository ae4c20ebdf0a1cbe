//! Pairing planner rules (docs/pairing.md §1).
#![allow(clippy::arithmetic_side_effects, missing_docs)]

use chrono::{DateTime, TimeZone, Utc};
use regcore::Coded;
use regcore::activation::{ActivationAuthority, ActivationKey};
use regcore::ids::{MprId, RegistrationId};
use regcore::keys::{Device, MasterSecret};
use regcore::pairing::{
    IssuanceError, IssuanceRequest, Mode, Outcome, Refusal, Viewer, plan_issuance,
};

fn master() -> MasterSecret {
    MasterSecret::new(1, &[0x5A; 32]).expect("a master of 32 bytes")
}
fn t(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 4, day, 3, 0, 0).unwrap()
}
fn mpr(s: &str) -> MprId {
    MprId::parse(s).expect("a valid MPR ID")
}
fn keys(m: &MasterSecret, n: u64) -> Vec<ActivationKey> {
    let a = ActivationAuthority::new(m);
    (1..=n)
        .map(|i| a.mint(0x0101, i).expect("serials below 2^48"))
        .collect()
}
fn req(mpr_id: MprId, keys: Vec<ActivationKey>, mode: Mode, viewer: Viewer) -> IssuanceRequest {
    IssuanceRequest {
        mpr_id,
        keys,
        mode,
        viewer,
    }
}

#[test]
fn issue_then_reissue_same_key_and_first_date() {
    let m = master();
    let a = mpr("0123-4567-89AB-CDEF");
    let r = req(a, keys(&m, 2), Mode::Real, Viewer::Customer);
    let p1 = plan_issuance(&m, &r, &[], t(1)).unwrap();
    assert_eq!(p1.new_bindings.len(), 2);
    let Outcome::Issued {
        registration_key,
        product,
    } = p1.outcomes[0].outcome
    else {
        panic!()
    };
    assert_eq!(product, 0x0101);
    assert_eq!(
        registration_key.verify(&m.device_key(Device::Terminal(a))),
        Ok(0x0101)
    );
    let p2 = plan_issuance(&m, &r, &p1.new_bindings, t(9)).unwrap();
    assert!(p2.new_bindings.is_empty());
    assert_eq!(
        p2.outcomes[0].outcome,
        Outcome::Reissued {
            registration_key,
            product,
            first_issued_at: t(1)
        }
    );
}

#[test]
fn bound_elsewhere_hides_other_terminal_from_customers() {
    let m = master();
    let (a, b) = (mpr("0000-0000-0000-000A"), mpr("0000-0000-0000-000B"));
    let ks = keys(&m, 1);
    let bound = plan_issuance(
        &m,
        &req(a, ks.clone(), Mode::Real, Viewer::Customer),
        &[],
        t(1),
    )
    .unwrap()
    .new_bindings;
    let customer = plan_issuance(
        &m,
        &req(b, ks.clone(), Mode::Real, Viewer::Customer),
        &bound,
        t(2),
    )
    .unwrap();
    let Outcome::Refused(refusal) = &customer.outcomes[0].outcome else {
        panic!()
    };
    assert_eq!(refusal, &Refusal::BoundElsewhere { bound_to: None });
    assert_eq!(refusal.code(), "issuance.bound_elsewhere");
    assert!(refusal.params().is_empty());
    assert!(!refusal.message_en().contains("000A") && !refusal.message_ja().contains("000A"));
    assert!(customer.new_bindings.is_empty());
    let admin = plan_issuance(&m, &req(b, ks, Mode::Real, Viewer::Admin), &bound, t(2)).unwrap();
    let Outcome::Refused(refusal) = &admin.outcomes[0].outcome else {
        panic!()
    };
    assert_eq!(refusal, &Refusal::BoundElsewhere { bound_to: Some(a) });
    assert_eq!(
        refusal.params(),
        vec![("bound_to", "0000-0000-0000-000A".to_owned())]
    );
}

#[test]
fn wrong_registration_id_is_checked_before_bindings() {
    let m = master();
    let (a, b) = (mpr("0000-0000-0000-000A"), mpr("0000-0000-0000-000B"));
    let ks = keys(&m, 1);
    let bound = plan_issuance(
        &m,
        &req(a, ks.clone(), Mode::Real, Viewer::Customer),
        &[],
        t(1),
    )
    .unwrap()
    .new_bindings;
    let mut forged = ks[0];
    forged.registration_id = RegistrationId::from_u32(forged.registration_id.as_u32() ^ 0x10);
    let p = plan_issuance(
        &m,
        &req(b, vec![forged], Mode::Real, Viewer::Admin),
        &bound,
        t(2),
    )
    .unwrap();
    assert_eq!(
        p.outcomes[0].outcome,
        Outcome::Refused(Refusal::WrongRegistrationId)
    );
}

#[test]
fn demo_real_mismatch_both_ways_and_demo_never_binds() {
    let m = master();
    let a = mpr("0123-4567-89AB-CDEF");
    let real = keys(&m, 1);
    let demo = keys(&m.demo(), 1);
    let p = plan_issuance(
        &m,
        &req(a, real.clone(), Mode::Demo, Viewer::Customer),
        &[],
        t(1),
    )
    .unwrap();
    assert_eq!(
        p.outcomes[0].outcome,
        Outcome::Refused(Refusal::DemoRealMismatch)
    );
    let p = plan_issuance(
        &m,
        &req(a, demo.clone(), Mode::Real, Viewer::Customer),
        &[],
        t(1),
    )
    .unwrap();
    assert_eq!(
        p.outcomes[0].outcome,
        Outcome::Refused(Refusal::DemoRealMismatch)
    );
    let p = plan_issuance(&m, &req(a, demo, Mode::Demo, Viewer::Customer), &[], t(1)).unwrap();
    assert!(p.new_bindings.is_empty());
    let Outcome::Issued {
        registration_key, ..
    } = p.outcomes[0].outcome
    else {
        panic!()
    };
    assert!(
        registration_key
            .verify(&m.device_key(Device::Terminal(a)))
            .is_err()
    );
    assert!(
        registration_key
            .verify(&m.demo().device_key(Device::Terminal(a)))
            .is_ok()
    );
}

#[test]
fn duplicates_and_request_size() {
    let m = master();
    let a = mpr("0123-4567-89AB-CDEF");
    let ks = keys(&m, 2);
    let p = plan_issuance(
        &m,
        &req(a, vec![ks[0], ks[1], ks[0]], Mode::Real, Viewer::Customer),
        &[],
        t(1),
    )
    .unwrap();
    assert!(matches!(p.outcomes[0].outcome, Outcome::Issued { .. }));
    assert_eq!(
        p.outcomes[2].outcome,
        Outcome::Refused(Refusal::DuplicateInRequest)
    );
    assert_eq!(p.new_bindings.len(), 2);
    let e =
        plan_issuance(&m, &req(a, vec![], Mode::Real, Viewer::Customer), &[], t(1)).unwrap_err();
    assert_eq!(e, IssuanceError::NoKeys);
    assert_eq!(e.code(), "issuance.no_keys");
    assert!(
        plan_issuance(
            &m,
            &req(a, keys(&m, 8), Mode::Real, Viewer::Customer),
            &[],
            t(1)
        )
        .is_ok()
    );
    let e = plan_issuance(
        &m,
        &req(a, keys(&m, 9), Mode::Real, Viewer::Customer),
        &[],
        t(1),
    )
    .unwrap_err();
    assert_eq!(e, IssuanceError::TooManyKeys { max: 8, actual: 9 });
    assert!(e.message_ja().contains('8'));
}

#[test]
fn plan_is_serialisable() {
    let m = master();
    let p = plan_issuance(
        &m,
        &req(
            mpr("0123456789ABCDEF"),
            keys(&m, 1),
            Mode::Real,
            Viewer::Customer,
        ),
        &[],
        t(1),
    )
    .unwrap();
    let json = serde_json::to_string(&p).unwrap();
    assert!(json.contains("\"outcome\":\"issued\""));
    assert_eq!(
        serde_json::from_str::<regcore::pairing::IssuancePlan>(&json).unwrap(),
        p
    );
}

#[test]
fn a_request_is_validated_when_it_is_built() {
    use regcore::pairing::{IssuanceError, IssuanceRequest, Mode, Viewer};
    let authority = regcore::activation::ActivationAuthority::new(&master());
    let mpr: regcore::MprId = "0123-4567-89AB-CDEF".parse().unwrap();
    let keys: Vec<_> = (0..9).map(|s| authority.mint(1, s).unwrap()).collect();
    let build = |keys: &[regcore::activation::ActivationKey]| {
        IssuanceRequest::new(mpr, keys.to_vec(), Mode::Real, Viewer::Customer)
    };
    assert!(build(&keys[..8]).is_ok());
    assert_eq!(build(&[]).unwrap_err().code(), "issuance.no_keys");
    let nine = build(&keys).unwrap_err();
    assert_eq!(nine, IssuanceError::TooManyKeys { max: 8, actual: 9 });
    let dup = build(&[keys[0], keys[1], keys[0]]).unwrap_err();
    assert_eq!(dup.code(), "issuance.duplicate_key");
    assert_eq!(dup.kind(), regcore::ErrorKind::InvalidInput);
    assert_eq!(dup.params()[0].1, keys[0].number.to_string());
}
