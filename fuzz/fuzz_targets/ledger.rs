//! Ledger operations from an arbitrary operation sequence, checked against
//! a model of the pairing rules.
//!
//! Input bytes decode (manually, so seeds are easy to write) into up to 64
//! operations: issue (terminal, mode, viewer, 0–9 keys drawn from a pool
//! of real and demo activation keys, some with a tampered registration ID),
//! rebind (key, target terminal, audited or not), a time jump (to anywhere
//! in chrono's range), and report queries in an arbitrary UTC offset.
//!
//! Asserts the pairing invariant: an activation number is never bound to
//! two MPR IDs (only an audited rebind moves it); a re-issue returns the
//! same key as the first issue; every outcome is exactly what the rules
//! say; every issued key verifies on its terminal to its product; the
//! ledger's bindings equal the model's; reports count every event.
#![no_main]

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, TimeDelta};
use libfuzzer_sys::fuzz_target;
use regcore::activation::{ActivationAuthority, ActivationKey};
use regcore::ids::{MprId, RegistrationId};
use regcore::keys::{Device, MasterSecret};
use regcore::ledger::Ledger;
use regcore::pairing::{IssuanceRequest, Mode, Outcome, Refusal, Viewer};
use regcore::regkey::RegistrationKey;
use regcore_fuzz::{Bytes, assert_coded, instant_ms, master};

const PRODUCTS: [u16; 3] = [0x0101, 0x0201, 0xFFFF];

struct Pool {
    real: Vec<ActivationKey>,
    demo: Vec<ActivationKey>,
}

impl Pool {
    fn new(m: &MasterSecret) -> Self {
        let mint = |a: &ActivationAuthority| -> Vec<ActivationKey> {
            (0u64..16)
                .map(|i| a.mint(PRODUCTS[(i % 3) as usize], i).expect("small serial"))
                .collect()
        };
        Self {
            real: mint(&ActivationAuthority::new(m)),
            demo: mint(&ActivationAuthority::new(&m.demo())),
        }
    }
    /// Bits 0–3 pick the serial, bit 4 demo, bit 5 a tampered registration ID.
    fn key(&self, pick: u8) -> ActivationKey {
        let set = if pick & 16 == 0 {
            &self.real
        } else {
            &self.demo
        };
        let mut k = set[usize::from(pick & 15)];
        if pick & 32 != 0 {
            k.registration_id = RegistrationId::from_u32(k.registration_id.as_u32() ^ 1);
        }
        k
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Bound {
    mpr: MprId,
    key: RegistrationKey,
    product: u16,
}

fn terminal(b: &mut Bytes) -> MprId {
    MprId::from_u64(u64::from(b.u8() % 4) + 1)
}

fuzz_target!(|data: &[u8]| {
    let m = master();
    let demo_master = m.demo();
    let real_authority = ActivationAuthority::new(&m);
    let demo_authority = ActivationAuthority::new(&demo_master);
    let pool = Pool::new(&m);
    let mut b = Bytes(data);
    let mut ledger = Ledger::new();
    let mut model: BTreeMap<u64, Bound> = BTreeMap::new();
    let mut events = 0usize;
    let mut now = DateTime::from_timestamp(1_711_929_600, 0).expect("2024-04-01");

    for _ in 0..64 {
        if b.is_empty() {
            break;
        }
        match b.u8() % 5 {
            0 | 1 => {
                let mpr_id = terminal(&mut b);
                let flags = b.u8();
                let mode = if flags & 1 == 0 {
                    Mode::Real
                } else {
                    Mode::Demo
                };
                let viewer = if flags & 2 == 0 {
                    Viewer::Customer
                } else {
                    Viewer::Admin
                };
                let keys: Vec<ActivationKey> = (0..b.u8() % 10).map(|_| pool.key(b.u8())).collect();
                // Anywhere in chrono's range, its last day included: reports
                // in any offset must not panic there (finding 1, fixed).
                now = now
                    .checked_add_signed(TimeDelta::minutes(i64::from(b.u8())))
                    .unwrap_or(now);
                let request = IssuanceRequest {
                    mpr_id,
                    keys: keys.clone(),
                    mode,
                    viewer,
                };
                let before = ledger.clone();
                let plan = match ledger.issue(&m, &request, now) {
                    Ok(plan) => plan,
                    Err(e) => {
                        assert_coded(&e, &["issuance."]);
                        assert!(keys.is_empty() || keys.len() > 8);
                        assert_eq!(ledger, before, "a refused request changed the ledger");
                        continue;
                    }
                };
                assert!(!keys.is_empty() && keys.len() <= 8);
                assert_eq!(plan.outcomes.len(), keys.len());
                if mode == Mode::Demo {
                    assert_eq!(ledger, before, "a demo request changed the ledger");
                    assert!(plan.new_bindings.is_empty());
                }
                let (own, other, own_master) = match mode {
                    Mode::Real => (&real_authority, &demo_authority, &m),
                    Mode::Demo => (&demo_authority, &real_authority, &demo_master),
                };
                for (i, (k, o)) in keys.iter().zip(&plan.outcomes).enumerate() {
                    assert_eq!(o.activation_number, k.number);
                    if let Outcome::Refused(r) = &o.outcome {
                        assert_coded(r, &["issuance."]);
                    }
                    let expected = if keys[..i].iter().any(|e| e.number == k.number) {
                        Outcome::Refused(Refusal::DuplicateInRequest)
                    } else {
                        match k.verify(&own) {
                            Err(_) if k.verify(&other).is_ok() => {
                                Outcome::Refused(Refusal::DemoRealMismatch)
                            }
                            Err(_) => Outcome::Refused(Refusal::WrongRegistrationId),
                            Ok(info) => {
                                let fresh = RegistrationKey::issue(
                                    own_master,
                                    mpr_id,
                                    k.number,
                                    info.product,
                                );
                                match (mode, model.get(&k.number.as_u64())) {
                                    (Mode::Demo, _) => Outcome::Issued {
                                        registration_key: fresh,
                                        product: info.product,
                                    },
                                    (Mode::Real, Some(bound)) if bound.mpr == mpr_id => {
                                        // Re-issue: the same key as the first time.
                                        match &o.outcome {
                                            Outcome::Reissued {
                                                registration_key,
                                                product,
                                                first_issued_at,
                                            } => {
                                                assert_eq!(
                                                    (*registration_key, *product),
                                                    (bound.key, bound.product)
                                                );
                                                Outcome::Reissued {
                                                    registration_key: bound.key,
                                                    product: bound.product,
                                                    first_issued_at: *first_issued_at,
                                                }
                                            }
                                            other => panic!("expected a re-issue, got {other:?}"),
                                        }
                                    }
                                    (Mode::Real, Some(bound)) => {
                                        Outcome::Refused(Refusal::BoundElsewhere {
                                            bound_to: (viewer == Viewer::Admin)
                                                .then_some(bound.mpr),
                                        })
                                    }
                                    (Mode::Real, None) => {
                                        model.insert(
                                            k.number.as_u64(),
                                            Bound {
                                                mpr: mpr_id,
                                                key: fresh,
                                                product: info.product,
                                            },
                                        );
                                        Outcome::Issued {
                                            registration_key: fresh,
                                            product: info.product,
                                        }
                                    }
                                }
                            }
                        }
                    };
                    assert_eq!(o.outcome, expected, "key {i} of {request:?}");
                    if mode == Mode::Real
                        && matches!(o.outcome, Outcome::Issued { .. } | Outcome::Reissued { .. })
                    {
                        events += 1;
                    }
                    if let Outcome::Issued {
                        registration_key,
                        product,
                    }
                    | Outcome::Reissued {
                        registration_key,
                        product,
                        ..
                    } = o.outcome
                    {
                        let k_dev = own_master.device_key(Device::Terminal(mpr_id));
                        assert_eq!(registration_key.verify(&k_dev), Ok(product));
                    }
                }
            }
            2 => {
                let k = pool.key(b.u8() & 15);
                let to = terminal(&mut b);
                let audit = b.u8();
                let actor = if audit & 1 == 0 { "admin" } else { " " };
                let reason = if audit & 2 == 0 {
                    "terminal replaced"
                } else {
                    ""
                };
                let before = ledger.clone();
                match ledger.rebind(&m, k.number, to, actor, reason, now) {
                    Ok(record) => {
                        let bound = model
                            .get_mut(&k.number.as_u64())
                            .expect("rebind of an unbound key");
                        assert_eq!((record.from, record.to), (bound.mpr, to));
                        assert_ne!(bound.mpr, to);
                        assert_eq!(audit & 3, 0, "unaudited rebind accepted");
                        bound.mpr = to;
                        bound.key = RegistrationKey::issue(&m, to, k.number, bound.product);
                        events += 1;
                    }
                    Err(e) => {
                        assert_coded(&e, &["ledger."]);
                        assert_eq!(ledger, before, "a refused rebind changed the ledger");
                        let bound = model.get(&k.number.as_u64());
                        assert!(audit & 3 != 0 || bound.is_none_or(|x| x.mpr == to), "{e:?}");
                    }
                }
            }
            3 => now = instant_ms(b.i64()),
            _ => {
                let offset = FixedOffset::east_opt(b.u32() as i32 % 86_400).expect("within a day");
                let history = ledger.history(None, offset);
                assert_eq!(history.rows.len(), events);
                let _ = history.to_csv();
                let daily = ledger.daily_counts(None, offset);
                let total: u64 = daily
                    .rows
                    .iter()
                    .map(|r| u64::from(r.issued) + u64::from(r.reissued))
                    .sum();
                assert_eq!(total, events as u64);
                let _ = daily.to_csv();
            }
        }

        // The ledger equals the model, and no number is bound twice.
        let bindings: Vec<_> = ledger.bindings().collect();
        assert_eq!(bindings.len(), model.len());
        for binding in &bindings {
            let bound = model[&binding.activation_number.as_u64()];
            assert_eq!(
                (binding.mpr_id, binding.registration_key, binding.product),
                (bound.mpr, bound.key, bound.product)
            );
            assert_eq!(
                ledger.by_activation_number(binding.activation_number),
                Some(*binding)
            );
        }
        let mut seen = 0;
        for t in 1..=4 {
            let mpr = MprId::from_u64(t);
            let mine = ledger.by_mpr_id(mpr);
            assert!(mine.iter().all(|x| x.mpr_id == mpr));
            seen += mine.len();
        }
        assert_eq!(seen, model.len(), "a number appears under two terminals");
    }
});
