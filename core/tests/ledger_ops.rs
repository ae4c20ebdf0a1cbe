//! In-memory ledger: searches, reports, audited rebinds, and the invariant
//! that an activation number is never bound to two terminals.
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    missing_docs
)]

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use regcore::Coded;
use regcore::activation::{ActivationAuthority, ActivationKey};
use regcore::ids::{ActivationNumber, MprId};
use regcore::keys::{Device, MasterSecret};
use regcore::ledger::{DateRange, HistoryEvent, Ledger, LedgerError};
use regcore::pairing::{IssuanceRequest, Mode, Outcome, Viewer};

fn master() -> MasterSecret {
    MasterSecret::new(1, &[0x33; 40]).expect("a master of 40 bytes")
}
fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 4, day, hour, 0, 0).unwrap()
}
fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("UTC+9 is a valid offset")
}
fn real(mpr_id: MprId, keys: Vec<ActivationKey>) -> IssuanceRequest {
    IssuanceRequest {
        mpr_id,
        keys,
        mode: Mode::Real,
        viewer: Viewer::Customer,
    }
}

#[test]
fn searches_reports_and_csv() {
    let m = master();
    let a = ActivationAuthority::new(&m);
    let ks: Vec<_> = (1..=3).map(|i| a.mint(0x0201, i).unwrap()).collect();
    let (t1, t2) = (MprId::from_u64(1), MprId::from_u64(2));
    let mut l = Ledger::new();
    l.issue(&m, &real(t1, vec![ks[0], ks[1]]), at(1, 10))
        .unwrap();
    // 2024-04-01 16:00 UTC is already 2 April in Japan.
    l.issue(&m, &real(t1, vec![ks[0]]), at(1, 16)).unwrap();
    l.issue(&m, &real(t2, vec![ks[2], ks[1]]), at(3, 1))
        .unwrap();

    assert_eq!(l.by_mpr_id(t1).len(), 2);
    assert_eq!(l.by_mpr_id(t2).len(), 1);
    let b = l.by_activation_number(ks[1].number).unwrap();
    assert_eq!((b.mpr_id, b.first_issued_at), (t1, at(1, 10)));
    assert!(
        l.by_activation_number(ActivationNumber::from_u64(0))
            .is_none()
    );

    let daily = l.daily_counts(None, jst());
    let rows: Vec<_> = daily
        .rows
        .iter()
        .map(|r| (r.date.to_string(), r.issued, r.reissued))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("2024-04-01".to_owned(), 2, 0),
            ("2024-04-02".to_owned(), 0, 1),
            ("2024-04-03".to_owned(), 1, 0),
        ]
    );
    assert_eq!(
        daily.to_csv(),
        "date,issued,reissued\n2024-04-01,2,0\n2024-04-02,0,1\n2024-04-03,1,0\n"
    );
    let utc = l.daily_counts(None, FixedOffset::east_opt(0).unwrap());
    assert_eq!(utc.rows.len(), 2);

    let range = DateRange {
        from: NaiveDate::from_ymd_opt(2024, 4, 2).unwrap(),
        to: NaiveDate::from_ymd_opt(2024, 4, 2).unwrap(),
    };
    let hist = l.history(Some(range), jst());
    assert_eq!(hist.rows.len(), 1);
    assert_eq!(hist.rows[0].event, HistoryEvent::Reissued);
    let csv = hist.to_csv();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("at,event,mpr_id,activation_number,product,registration_key")
    );
    let row = lines.next().unwrap();
    assert!(
        row.starts_with("2024-04-02T01:00:00+09:00,reissued,0000-0000-0000-0001,"),
        "{row}"
    );
    assert!(row.contains(",0201,"));
    assert_eq!(lines.next(), None);
    assert_eq!(l.history(None, jst()).rows.len(), 4);
}

#[test]
fn rebind_is_audited_and_moves_the_binding() {
    let m = master();
    let k = ActivationAuthority::new(&m).mint(0x0101, 7).unwrap();
    let (t1, t2) = (MprId::from_u64(1), MprId::from_u64(2));
    let mut l = Ledger::new();
    l.issue(&m, &real(t1, vec![k]), at(1, 0)).unwrap();
    assert_eq!(
        l.rebind(&m, k.number, t2, " ", "swap", at(2, 0)),
        Err(LedgerError::Unaudited)
    );
    assert_eq!(
        l.rebind(&m, k.number, t1, "ops", "swap", at(2, 0))
            .unwrap_err()
            .code(),
        "ledger.rebind_same_terminal"
    );
    assert_eq!(
        l.rebind(
            &m,
            ActivationNumber::from_u64(5),
            t2,
            "ops",
            "swap",
            at(2, 0)
        )
        .unwrap_err()
        .code(),
        "ledger.not_bound"
    );
    let rec = l
        .rebind(
            &m,
            k.number,
            t2,
            "suzuki",
            "terminal replaced under warranty",
            at(2, 0),
        )
        .unwrap();
    assert_eq!((rec.from, rec.to, rec.actor.as_str()), (t1, t2, "suzuki"));
    assert_eq!(l.rebinds().len(), 1);
    let b = l.by_activation_number(k.number).unwrap();
    assert_eq!(b.mpr_id, t2);
    assert_eq!(
        b.registration_key
            .verify(&m.device_key(Device::Terminal(t2))),
        Ok(0x0101)
    );
    let p = l.issue(&m, &real(t1, vec![k]), at(3, 0)).unwrap();
    assert!(matches!(p.outcomes[0].outcome, Outcome::Refused(_)));
    let p = l.issue(&m, &real(t2, vec![k]), at(3, 0)).unwrap();
    assert!(
        matches!(p.outcomes[0].outcome, Outcome::Reissued { first_issued_at, .. } if first_issued_at == at(2, 0))
    );
}

#[test]
fn demo_requests_leave_the_ledger_unchanged_and_ledger_serialises() {
    let m = master();
    let k = ActivationAuthority::new(&m.demo()).mint(0x0101, 1).unwrap();
    let mut l = Ledger::new();
    let req = IssuanceRequest {
        mpr_id: MprId::from_u64(1),
        keys: vec![k],
        mode: Mode::Demo,
        viewer: Viewer::Customer,
    };
    let p = l.issue(&m, &req, at(1, 0)).unwrap();
    assert!(matches!(p.outcomes[0].outcome, Outcome::Issued { .. }));
    assert_eq!(l, Ledger::new());
    l.issue(
        &m,
        &real(
            MprId::from_u64(1),
            vec![ActivationAuthority::new(&m).mint(1, 1).unwrap()],
        ),
        at(1, 0),
    )
    .unwrap();
    let json = serde_json::to_string(&l).unwrap();
    assert_eq!(serde_json::from_str::<Ledger>(&json).unwrap(), l);
}

#[derive(Debug, Clone)]
enum Op {
    Issue {
        terminal: u8,
        keys: Vec<u8>,
        viewer_admin: bool,
    },
    Rebind {
        key: u8,
        terminal: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..4, proptest::collection::vec(0u8..6, 0..10), any::<bool>())
            .prop_map(|(terminal, keys, viewer_admin)| Op::Issue { terminal, keys, viewer_admin }),
        1 => (0u8..6, 0u8..4).prop_map(|(key, terminal)| Op::Rebind { key, terminal }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn an_activation_number_never_binds_to_two_terminals(ops in proptest::collection::vec(op(), 1..25)) {
        let m = master();
        let a = ActivationAuthority::new(&m);
        let pool: Vec<ActivationKey> = (0..6).map(|i| a.mint(0x0100 + i as u16, 1000 + i)).collect::<Result<_, _>>().unwrap();
        let mut ledger = Ledger::new();
        // Model: who each number is bound to.
        let mut model: BTreeMap<ActivationNumber, MprId> = BTreeMap::new();
        for (step, op) in ops.into_iter().enumerate() {
            let now = Utc.timestamp_opt(1_700_000_000 + step as i64 * 3600, 0).unwrap();
            match op {
                Op::Issue { terminal, keys, viewer_admin } => {
                    let mpr_id = MprId::from_u64(u64::from(terminal));
                    let req = IssuanceRequest {
                        mpr_id,
                        keys: keys.iter().map(|i| pool[usize::from(*i)]).collect(),
                        mode: Mode::Real,
                        viewer: if viewer_admin { Viewer::Admin } else { Viewer::Customer },
                    };
                    match ledger.issue(&m, &req, now) {
                        Err(_) => prop_assert!(keys.is_empty() || keys.len() > 8),
                        Ok(plan) => {
                            for o in &plan.outcomes {
                                match (&o.outcome, model.get(&o.activation_number)) {
                                    (Outcome::Issued { .. }, None) => { model.insert(o.activation_number, mpr_id); }
                                    (Outcome::Issued { .. }, Some(_)) => prop_assert!(false, "issued twice"),
                                    (Outcome::Reissued { .. }, bound) => prop_assert_eq!(bound, Some(&mpr_id)),
                                    (Outcome::Refused(_), _) => {}
                                }
                            }
                        }
                    }
                }
                Op::Rebind { key, terminal } => {
                    let number = pool[usize::from(key)].number;
                    let to = MprId::from_u64(u64::from(terminal));
                    if ledger.rebind(&m, number, to, "admin", "test", now).is_ok() {
                        model.insert(number, to);
                    }
                }
            }
            // Invariant: the ledger agrees with the model, one terminal per number.
            let bound: BTreeMap<_, _> = ledger.bindings().map(|b| (b.activation_number, b.mpr_id)).collect();
            prop_assert_eq!(&bound, &model);
            for b in ledger.bindings() {
                prop_assert_eq!(b.registration_key.verify(&m.device_key(Device::Terminal(b.mpr_id))), Ok(b.product));
            }
        }
    }
}

/// Reports at the edges of chrono's range must not panic (fuzz finding).
#[test]
fn reports_at_the_edges_of_time_do_not_panic() {
    use chrono::{DateTime, FixedOffset, Utc};
    use regcore::MprId;
    use regcore::activation::ActivationAuthority;
    use regcore::keys::MasterSecret;
    use regcore::ledger::Ledger;
    use regcore::pairing::{IssuanceRequest, Mode, Viewer};
    let m = MasterSecret::new(1, &[0u8; 32]).unwrap();
    for (at, offset) in [
        (
            DateTime::<Utc>::MAX_UTC,
            FixedOffset::east_opt(9 * 3600).unwrap(),
        ),
        (
            DateTime::<Utc>::MIN_UTC,
            FixedOffset::west_opt(3600).unwrap(),
        ),
    ] {
        let key = ActivationAuthority::new(&m).mint(0x0101, 1).unwrap();
        let req = IssuanceRequest {
            mpr_id: MprId::from_u64(1),
            keys: vec![key],
            mode: Mode::Real,
            viewer: Viewer::Customer,
        };
        let mut l = Ledger::new();
        l.issue(&m, &req, at).unwrap();
        assert_eq!(l.daily_counts(None, offset).rows.len(), 1);
        assert!(!l.history(None, offset).to_csv().is_empty());
    }
}
