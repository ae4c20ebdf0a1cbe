//! Differential: random sequences of ledger operations (issues, rebinds,
//! searches, reports, time moving on) against each SQL store through the
//! Rust executors and against core's in-memory `Ledger` give identical
//! answers. Sizes from tests/store-scenarios.json (`ledger_differential`).
#![cfg(any(feature = "sqlite", feature = "postgres"))]
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod support;

use chrono::{Duration, FixedOffset};
use regcore::activation::ActivationKey;
use regcore::ids::MprId;
use regcore::keys::MasterSecret;
use regcore::ledger::{DateRange, Ledger};
use regcore::pairing::{IssuanceRequest, Mode, Viewer};
use regcore::{ActivationAuthority, Coded};
use regcore_store::Jitter;

fn master() -> MasterSecret {
    let bytes: Vec<u8> = (100..132).collect();
    MasterSecret::new(1, &bytes).unwrap()
}

struct Rng(Jitter);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.0.next_u64() % u64::try_from(n).unwrap()).unwrap()
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn chance(&mut self) -> f64 {
        self.0.next_uniform()
    }
}

fn sorted<T: Clone>(items: Vec<T>, key: impl Fn(&T) -> String) -> Vec<T> {
    let mut items = items;
    items.sort_by_key(|b| key(b));
    items
}

#[test]
fn sql_stores_answer_as_the_in_memory_ledger() {
    if support::skipped() {
        return;
    }
    let sc = support::scenarios()["ledger_differential"].clone();
    let num = |f: &str| usize::try_from(sc[f].as_u64().unwrap()).unwrap();
    let ints = |f: &str| -> Vec<i64> {
        sc[f]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect()
    };
    let (steps, n_keys, n_terminals) = (num("steps"), num("keys"), num("terminals"));
    let products: Vec<u16> = ints("products")
        .into_iter()
        .map(|p| u16::try_from(p).unwrap())
        .collect();
    let minute_steps = ints("minute_steps");
    let offsets: Vec<FixedOffset> = ints("utc_offsets_minutes")
        .into_iter()
        .map(|m| FixedOffset::east_opt(i32::try_from(m * 60).unwrap()).unwrap())
        .collect();
    let w = &sc["weights"];
    let weight = |k: &str| w[k].as_f64().unwrap();
    let cut_issue = weight("issue");
    let cut_rebind = cut_issue + weight("rebind");
    let cut_mpr = cut_rebind + weight("by_mpr_id");
    let cut_number = cut_mpr + weight("by_activation_number");

    let authority = ActivationAuthority::new(&master());
    let keys: Vec<ActivationKey> = (0..n_keys)
        .map(|i| {
            authority
                .mint(
                    products[i % products.len()],
                    7_000 + u64::try_from(i).unwrap(),
                )
                .unwrap()
        })
        .collect();
    let terminals: Vec<MprId> = (0..n_terminals)
        .map(|i| MprId::parse(&format!("{:016X}", 0xABCD_0000_0000_0000_u64 + i as u64)).unwrap())
        .collect();

    let rt = support::runtime();
    let dir = support::scratch();
    let kinds: Vec<&str> = support::kinds()
        .into_iter()
        .filter(|k| *k == "sqlite" || *k == "postgres")
        .collect();
    for kind in kinds {
        for seed in sc["seeds"].as_array().unwrap() {
            let seed = seed.as_u64().unwrap();
            let spec = rt.block_on(support::fresh(kind, &dir));
            let store = rt.block_on(support::open(&spec, 1));
            let mut ledger = Ledger::new();
            let mut rng = Rng(Jitter::new(seed));
            let mut now = support::t0();
            let mut compared = 0usize;
            for step in 0..steps {
                now += Duration::minutes(*rng.pick(&minute_steps));
                let at = format!("{kind} seed {seed} step {step}");
                let roll = rng.chance();
                if roll < cut_issue {
                    let n = 1 + rng.below(3);
                    let mut chosen: Vec<ActivationKey> = Vec::new();
                    while chosen.len() < n {
                        let k = *rng.pick(&keys);
                        if !chosen.contains(&k) {
                            chosen.push(k);
                        }
                    }
                    let mode = if rng.below(10) == 0 {
                        Mode::Demo
                    } else {
                        Mode::Real
                    };
                    let viewer = if rng.below(2) == 0 {
                        Viewer::Admin
                    } else {
                        Viewer::Customer
                    };
                    let request =
                        IssuanceRequest::new(*rng.pick(&terminals), chosen, mode, viewer).unwrap();
                    let mine = rt.block_on(async {
                        with_sql_store!(&store, s => s.ledger_issue(&master(), &request, now).await)
                    });
                    let core = ledger.issue(&master(), &request, now);
                    match (mine, core) {
                        (Ok(a), Ok(b)) => assert_eq!(a, b, "{at}: issue"),
                        (Err(a), Err(b)) => assert_eq!(a.code(), b.code(), "{at}: issue"),
                        (a, b) => panic!("{at}: issue: store {a:?}, core {b:?}"),
                    }
                } else if roll < cut_rebind {
                    let number = rng.pick(&keys).number;
                    let to = *rng.pick(&terminals);
                    let mine = rt.block_on(async {
                        with_sql_store!(&store, s => s
                            .ledger_rebind(&master(), number, to, "admin", "swap", now)
                            .await)
                    });
                    let core = ledger.rebind(&master(), number, to, "admin", "swap", now);
                    match (mine, core) {
                        (Ok(a), Ok(b)) => assert_eq!(a, b, "{at}: rebind"),
                        (Err(a), Err(b)) => assert_eq!(a.code(), b.code(), "{at}: rebind"),
                        (a, b) => panic!("{at}: rebind: store {a:?}, core {b:?}"),
                    }
                } else if roll < cut_mpr {
                    let t = *rng.pick(&terminals);
                    let mine = rt.block_on(async {
                        with_sql_store!(&store, s => s.ledger_by_mpr_id(t).await.unwrap())
                    });
                    let core: Vec<_> = ledger.by_mpr_id(t).into_iter().cloned().collect();
                    let key = |b: &regcore::pairing::Binding| b.activation_number.compact();
                    assert_eq!(sorted(mine, key), sorted(core, key), "{at}: by_mpr_id");
                } else if roll < cut_number {
                    let number = rng.pick(&keys).number;
                    let mine = rt.block_on(async {
                        with_sql_store!(&store, s => s.ledger_by_activation_number(number).await.unwrap())
                    });
                    assert_eq!(
                        mine.as_ref(),
                        ledger.by_activation_number(number),
                        "{at}: by_number"
                    );
                } else {
                    let offset = *rng.pick(&offsets);
                    let range = (rng.below(2) == 0).then(|| {
                        let from =
                            now.date_naive() - Duration::days(i64::try_from(rng.below(3)).unwrap());
                        DateRange {
                            from,
                            to: now.date_naive(),
                        }
                    });
                    let (history, daily) = rt.block_on(async {
                        with_sql_store!(&store, s => (
                            s.ledger_history(range, offset).await.unwrap(),
                            s.ledger_daily_counts(range, offset).await.unwrap(),
                        ))
                    });
                    assert_eq!(history, ledger.history(range, offset), "{at}: history");
                    assert_eq!(
                        daily,
                        ledger.daily_counts(range, offset),
                        "{at}: daily counts"
                    );
                }
                compared += 1;
            }
            let (bindings, rebinds, history) = rt.block_on(async {
                with_sql_store!(&store, s => (
                    s.ledger_bindings().await.unwrap(),
                    s.ledger_rebinds().await.unwrap(),
                    s.ledger_history(None, FixedOffset::east_opt(0).unwrap()).await.unwrap(),
                ))
            });
            let key = |b: &regcore::pairing::Binding| b.activation_number.compact();
            let core: Vec<_> = ledger.bindings().cloned().collect();
            assert_eq!(
                sorted(bindings, key),
                sorted(core, key),
                "{kind} seed {seed}: bindings"
            );
            assert_eq!(rebinds, ledger.rebinds(), "{kind} seed {seed}: rebinds");
            assert_eq!(history.rows.len(), ledger.history_rows().len());
            eprintln!("{kind} seed {seed}: {compared} steps identical");
            drop(store);
            rt.block_on(support::cleanup(&spec));
        }
    }
}
