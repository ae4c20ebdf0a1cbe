//! The store guarantees under real concurrency, through the Rust executors:
//! several OS processes (this test binary run again as workers, each with
//! its own pool or connection), released together by a barrier, against
//! SQLite, PostgreSQL, Redis and the 3-master Redis Cluster. Sizes and
//! expectations come from tests/store-scenarios.json, the file the Python
//! and Node suites read.
#![cfg(any(feature = "sqlite", feature = "postgres", feature = "redis"))]
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
// A Redis-only build has no ledger jobs.
#![cfg_attr(
    not(any(feature = "sqlite", feature = "postgres")),
    allow(unused_imports, dead_code)
)]

mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use regcore::code::{CodePolicy, CodeSecret};
use regcore::ids::MprId;
use regcore::keys::MasterSecret;
use regcore::lockout::LockoutPolicy;
use regcore::pairing::{IssuanceRequest, Mode, Outcome, Viewer};
use regcore::{ActivationAuthority, Coded};
use regcore_store::Attempt;
use regcore_store::exec::now;
use support::{AnyStore, Spec, WorkerArgs, fields, report, t0};

// --- the worker side ----------------------------------------------------------------

fn secret() -> CodeSecret {
    let bytes: Vec<u8> = (0..32).collect();
    CodeSecret::new(&bytes).unwrap()
}

fn master() -> MasterSecret {
    let bytes: Vec<u8> = (100..132).collect();
    MasterSecret::new(1, &bytes).unwrap()
}

fn terminal(i: usize) -> MprId {
    let n = 0x0123_4567_89AB_0000_u64 + u64::try_from(i).unwrap();
    MprId::parse(&format!("{n:016X}")).unwrap()
}

fn never_locks() -> LockoutPolicy {
    LockoutPolicy::fixed(1_000_000, 1)
}

/// Not a test: the entry point of a worker process (a no-op otherwise).
#[test]
fn worker() {
    let Some(args) = WorkerArgs::from_env() else {
        return;
    };
    support::runtime().block_on(job(args));
}

async fn job(mut args: WorkerArgs) {
    let job = args.job.clone();
    let arg = |i: usize| job[i].clone();
    let num = |i: usize| -> usize { job[i].parse().unwrap() };
    match job[0].as_str() {
        "fail" => {
            let store = support::open(&args.spec, 1).await;
            let (key, n) = (arg(1), num(2));
            args.wait();
            with_store!(&store, s => {
                for _ in 0..n {
                    match s.lockout_admit(&key, &never_locks(), now()).await.unwrap() {
                        Attempt::Admitted(a) => {
                            let _ = s.lockout_settle(a, false, now()).await.unwrap();
                        }
                        Attempt::Locked(l) => panic!("locked: {l:?}"),
                    }
                }
                report(format!(
                    "done={n} conflicts={} most={}",
                    s.stats().conflicts(),
                    s.stats().most_tries()
                ));
            });
        }
        "guess" => {
            let (key, threads) = (arg(1), num(2));
            let connections = if args.spec.kind == "postgres" {
                3
            } else {
                threads
            };
            let store = support::open(&args.spec, u32::try_from(connections).unwrap()).await;
            args.wait();
            let checks = Arc::new(AtomicU32::new(0));
            let mut tasks = tokio::task::JoinSet::new();
            for _ in 0..threads {
                let (store, key, checks) = (store.clone(), key.clone(), checks.clone());
                tasks.spawn(async move {
                    let checked = Arc::new(AtomicU32::new(0));
                    let c = checked.clone();
                    let result = with_store!(&store, s => s
                        .login_at(&key, &LockoutPolicy::ups_site(), t0(), || async move {
                            c.fetch_add(1, Ordering::SeqCst);
                            false
                        })
                        .await
                        .unwrap());
                    assert!(!result.ok);
                    let n = checked.load(Ordering::SeqCst);
                    assert_eq!(result.locked.is_none(), n == 1);
                    checks.fetch_add(n, Ordering::SeqCst);
                });
            }
            while let Some(done) = tasks.join_next().await {
                done.unwrap();
            }
            report(format!("checks={}", checks.load(Ordering::SeqCst)));
        }
        "verify" => {
            let (subject, typed, threads) = (arg(1), arg(2), num(3));
            let connections = if args.spec.kind == "postgres" {
                3
            } else {
                threads
            };
            let store = support::open(&args.spec, u32::try_from(connections).unwrap()).await;
            args.wait();
            let mut tasks = tokio::task::JoinSet::new();
            for _ in 0..threads {
                let (store, subject, typed) = (store.clone(), subject.clone(), typed.clone());
                tasks.spawn(async move {
                    let policy = CodePolicy::password_reset();
                    let v = with_store!(&store, s => s
                        .code_verify(&policy, &secret(), &subject, &typed, t0())
                        .await
                        .unwrap())
                    .expect("a code is stored");
                    match v.result {
                        Ok(()) => "ok".to_owned(),
                        Err(rejection) => rejection.code().to_owned(),
                    }
                });
            }
            let mut seen = Vec::new();
            while let Some(done) = tasks.join_next().await {
                seen.push(done.unwrap());
            }
            report(seen.join(" "));
        }
        #[cfg(any(feature = "sqlite", feature = "postgres"))]
        "issue_rounds" => {
            let rounds = num(1);
            let store = support::open(&args.spec, 1).await;
            let authority = ActivationAuthority::new(&master());
            let mine = terminal(args.index);
            let mut seen = Vec::new();
            for r in 0..rounds {
                let key = authority
                    .mint(0x0101, 10_000 + u64::try_from(r).unwrap())
                    .unwrap();
                let request =
                    IssuanceRequest::new(mine, vec![key], Mode::Real, Viewer::Customer).unwrap();
                args.wait();
                let plan = with_sql_store!(&store, s => s
                    .ledger_issue(&master(), &request, t0())
                    .await
                    .unwrap());
                args.wait();
                let bound = with_sql_store!(&store, s => s
                    .ledger_by_activation_number(key.number)
                    .await
                    .unwrap())
                .expect("bound after the round");
                let outcome = match &plan.outcomes[0].outcome {
                    Outcome::Issued { .. } => "issued",
                    Outcome::Reissued { .. } => "reissued",
                    Outcome::Refused(_) => "refused",
                };
                let holder = if bound.mpr_id == mine { "me" } else { "other" };
                seen.push(format!("{outcome}:{holder}"));
            }
            report(seen.join(" "));
        }
        #[cfg(any(feature = "sqlite", feature = "postgres"))]
        "issue_forever" => {
            let store = support::open(&args.spec, 1).await;
            let authority = ActivationAuthority::new(&master());
            let mut i = 100_000 * (args.index + 1);
            args.wait();
            loop {
                let keys = (0..3)
                    .map(|j| {
                        authority
                            .mint(0x0101, 50_000 + u64::try_from(i + j).unwrap())
                            .unwrap()
                    })
                    .collect();
                let request =
                    IssuanceRequest::new(terminal(i % 7), keys, Mode::Real, Viewer::Customer)
                        .unwrap();
                with_sql_store!(&store, s => s.ledger_issue(&master(), &request, t0()).await.unwrap());
                i += 3;
            }
        }
        other => panic!("unknown job {other}"),
    }
}

// --- the tests ----------------------------------------------------------------------

fn scenario(name: &str) -> serde_json::Value {
    support::scenarios()[name].clone()
}

fn int(v: &serde_json::Value, field: &str) -> usize {
    usize::try_from(v[field].as_u64().unwrap()).unwrap()
}

fn kinds_for(sc: &serde_json::Value) -> Vec<&'static str> {
    let stores: Vec<&str> = sc["stores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    support::kinds()
        .into_iter()
        .filter(|k| stores.contains(k))
        .collect()
}

fn each_kind(sc: &serde_json::Value, mut test: impl FnMut(&Spec)) {
    if support::skipped() {
        eprintln!("REGCORE_STORE_TESTS=skip: skipped");
        return;
    }
    let rt = support::runtime();
    let dir = support::scratch();
    for kind in kinds_for(sc) {
        let spec = rt.block_on(support::fresh(kind, &dir));
        test(&spec);
        rt.block_on(support::cleanup(&spec));
    }
}

fn open_now(spec: &Spec) -> (tokio::runtime::Runtime, AnyStore) {
    let rt = support::runtime();
    let store = rt.block_on(support::open(spec, 1));
    (rt, store)
}

#[test]
fn no_failure_is_lost_on_a_hot_key() {
    let sc = scenario("lockout_no_lost_update");
    assert_eq!(sc["policy"], serde_json::json!({"fixed": [1_000_000, 1]}));
    let key = sc["key"].as_str().unwrap().to_owned();
    let (processes, per) = (int(&sc, "processes"), int(&sc, "failures_per_process"));
    each_kind(&sc, |spec| {
        let results = support::spawn(spec, &format!("fail {key} {per}"), processes).run(1);
        let done: usize = results
            .iter()
            .map(|r| fields(r)["done"].parse::<usize>().unwrap())
            .sum();
        let lost: usize = results
            .iter()
            .map(|r| fields(r)["conflicts"].parse::<usize>().unwrap())
            .sum();
        assert_eq!(done, int(&sc, "expect_failures"));
        let (rt, store) = open_now(spec);
        let state =
            rt.block_on(async { with_store!(&store, s => s.lockout_state(&key).await.unwrap()) });
        eprintln!(
            "{}: {} failures stored, lost races {lost}",
            spec.kind, state.failures
        );
        assert_eq!(
            usize::try_from(state.failures).unwrap(),
            int(&sc, "expect_failures"),
            "{}",
            spec.kind
        );
        rt.block_on(async { with_store!(&store, s => s.lockout_reset(&key).await.unwrap()) });
    });
}

#[test]
fn a_burst_of_wrong_guesses_gets_at_most_five_checks() {
    let sc = scenario("lockout_burst");
    assert_eq!(sc["policy"], "ups_site");
    let key = sc["key"].as_str().unwrap().to_owned();
    let (processes, threads) = (int(&sc, "processes"), int(&sc, "concurrent_per_process"));
    each_kind(&sc, |spec| {
        let results = support::spawn(spec, &format!("guess {key} {threads}"), processes).run(1);
        let checks: usize = results
            .iter()
            .map(|r| fields(r)["checks"].parse::<usize>().unwrap())
            .sum();
        eprintln!("{}: {checks} password checks of 100", spec.kind);
        assert_eq!(checks, int(&sc, "expect_password_checks"), "{}", spec.kind);
        let (rt, store) = open_now(spec);
        let state =
            rt.block_on(async { with_store!(&store, s => s.lockout_state(&key).await.unwrap()) });
        assert_eq!(
            usize::try_from(state.failures).unwrap(),
            int(&sc, "expect_failures")
        );
        assert!(matches!(
            state.check(&LockoutPolicy::ups_site(), t0()),
            regcore::lockout::Decision::Locked(_)
        ));
        rt.block_on(async { with_store!(&store, s => s.lockout_reset(&key).await.unwrap()) });
    });
}

#[test]
fn one_code_verified_by_twenty_succeeds_once() {
    let sc = scenario("code_one_success");
    assert_eq!(sc["policy"], "password_reset");
    let subject = sc["subject"].as_str().unwrap().to_owned();
    let (processes, threads) = (int(&sc, "processes"), int(&sc, "concurrent_per_process"));
    each_kind(&sc, |spec| {
        let (rt, store) = open_now(spec);
        let code = rt.block_on(async {
            with_store!(&store, s => s
                .code_issue(&CodePolicy::password_reset(), &secret(), &subject, t0())
                .await
                .unwrap())
        });
        let job = format!("verify {subject} {} {threads}", code.as_str());
        let results = support::spawn(spec, &job, processes).run(1);
        let mut counts: HashMap<String, u64> = HashMap::new();
        for outcome in results.iter().flat_map(|r| r.split_whitespace()) {
            *counts.entry(outcome.to_owned()).or_default() += 1;
        }
        eprintln!("{}: {counts:?}", spec.kind);
        let expect: HashMap<String, u64> = serde_json::from_value(sc["expect"].clone()).unwrap();
        assert_eq!(counts, expect, "{}", spec.kind);
        let purpose = CodePolicy::password_reset().purpose.name();
        support::runtime().block_on(support::forget_code(spec, purpose, &subject));
    });
}

#[cfg(any(feature = "sqlite", feature = "postgres"))]
#[test]
fn one_binding_per_activation_key_under_sixteen_processes() {
    let sc = scenario("ledger_first_writer_wins");
    let (processes, rounds) = (int(&sc, "processes"), int(&sc, "rounds"));
    each_kind(&sc, |spec| {
        let results =
            support::spawn(spec, &format!("issue_rounds {rounds}"), processes).run(2 * rounds);
        let per_worker: Vec<Vec<&str>> = results
            .iter()
            .map(|r| r.split_whitespace().collect())
            .collect();
        for r in 0..rounds {
            let round: Vec<&str> = per_worker.iter().map(|w| w[r]).collect();
            let issued = round.iter().filter(|o| **o == "issued:me").count();
            let refused = round.iter().filter(|o| **o == "refused:other").count();
            assert_eq!(
                (issued, refused),
                (1, processes - 1),
                "{} round {r}: {round:?}",
                spec.kind
            );
        }
        let (rt, store) = open_now(spec);
        let bindings =
            rt.block_on(async { with_sql_store!(&store, s => s.ledger_bindings().await.unwrap()) });
        assert_eq!(bindings.len(), rounds, "{}", spec.kind);
        eprintln!(
            "{}: {rounds} rounds x {processes} processes, one binding each",
            spec.kind
        );
    });
}

#[cfg(any(feature = "sqlite", feature = "postgres"))]
#[test]
fn sigkill_mid_issue_leaves_no_half_binding() {
    let sc = scenario("ledger_first_writer_wins");
    each_kind(&sc, |spec| {
        let mut workers = support::spawn(spec, "issue_forever", 4);
        workers.release();
        std::thread::sleep(Duration::from_millis(1500));
        workers.kill();
        let (rt, store) = open_now(spec);
        let (bindings, history) = rt.block_on(async {
            with_sql_store!(&store, s => (
                s.ledger_bindings().await.unwrap(),
                s.ledger_history(None, chrono::FixedOffset::east_opt(0).unwrap()).await.unwrap(),
            ))
        });
        assert!(
            !bindings.is_empty(),
            "{}: the workers issued nothing",
            spec.kind
        );
        let issued: Vec<_> = history
            .rows
            .iter()
            .filter(|r| r.event.name() == "issued")
            .map(|r| (r.activation_number, r.mpr_id, r.registration_key))
            .collect();
        let mut bound: Vec<_> = bindings
            .iter()
            .map(|b| (b.activation_number, b.mpr_id, b.registration_key))
            .collect();
        let mut issued_sorted = issued.clone();
        issued_sorted.sort_by_key(|k| k.0.compact());
        bound.sort_by_key(|k| k.0.compact());
        assert_eq!(
            bound, issued_sorted,
            "{}: bindings and history disagree",
            spec.kind
        );
        // Every request bound its 3 keys together or not at all.
        assert_eq!(bindings.len() % 3, 0, "{}", spec.kind);
        eprintln!(
            "{}: {} bindings, all with history",
            spec.kind,
            bindings.len()
        );
    });
}

/// The Python interpreter with the regcore wheel (bindings-python/test.sh
/// builds it at target/py-venv; `REGCORE_PY` overrides).
#[cfg(all(feature = "postgres", feature = "redis"))]
fn python() -> Option<std::path::PathBuf> {
    if let Ok(py) = std::env::var("REGCORE_PY") {
        return Some(py.into());
    }
    let venv =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/py-venv/bin/python");
    venv.exists().then_some(venv)
}

/// One burst of 100 simultaneous wrong attempts on a fresh `ups_site`
/// account, split between Rust and Python processes sharing one PostgreSQL
/// and one Redis: at most 5 reach a password check in all.
#[cfg(all(feature = "postgres", feature = "redis"))]
#[test]
fn a_burst_split_between_rust_and_python_gets_at_most_five_checks() {
    if support::skipped() {
        return;
    }
    let Some(python) = python() else {
        eprintln!(
            "SKIPPED: no Python venv at target/py-venv (run bindings-python/test.sh or set REGCORE_PY)"
        );
        return;
    };
    let sc = scenario("lockout_burst");
    let key = sc["key"].as_str().unwrap().to_owned();
    let (processes, threads) = (int(&sc, "processes"), int(&sc, "concurrent_per_process"));
    let script = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mixed_worker.py");
    let rt = support::runtime();
    let dir = support::scratch();
    for kind in ["postgres", "redis"] {
        let spec = rt.block_on(support::fresh(kind, &dir));
        // The Python store must see the schema the Rust store migrated.
        let job = format!("guess {key} {threads}");
        let results = support::spawn_with(processes, |i, port| {
            if i % 2 == 0 {
                support::worker_command(&spec, &job, i, port)
            } else {
                let mut c = std::process::Command::new(&python);
                c.arg(&script).args([
                    spec.kind.as_str(),
                    spec.target.as_str(),
                    spec.prefix.as_str(),
                    key.as_str(),
                    &threads.to_string(),
                    &port.to_string(),
                ]);
                c
            }
        })
        .run(1);
        let checks: Vec<usize> = results
            .iter()
            .map(|r| fields(r)["checks"].parse::<usize>().unwrap())
            .collect();
        let total: usize = checks.iter().sum();
        let rust: usize = checks.iter().step_by(2).sum();
        eprintln!(
            "{kind}: {total} password checks of {} (Rust processes {rust}, Python {})",
            processes * threads,
            total - rust
        );
        assert_eq!(total, int(&sc, "expect_password_checks"), "{kind}");
        let (rt2, store) = open_now(&spec);
        let state =
            rt2.block_on(async { with_store!(&store, s => s.lockout_state(&key).await.unwrap()) });
        assert_eq!(
            usize::try_from(state.failures).unwrap(),
            int(&sc, "expect_failures")
        );
        rt2.block_on(async {
            with_store!(&store, s => { let _ = s.lockout_reset(&key).await.unwrap(); })
        });
        rt.block_on(support::cleanup(&spec));
    }
}
