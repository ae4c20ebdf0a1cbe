//! The Rust executors against real servers, one process: every operation's
//! round trip, error classification (no schema, no server, a key of another
//! type) and the Redis script cache flushed under the store.
#![cfg(any(feature = "sqlite", feature = "postgres", feature = "redis"))]
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod support;

use chrono::Duration;
use regcore::code::{CodePolicy, CodeSecret};
use regcore::lockout::LockoutPolicy;
use regcore::session::SessionPolicy;
use regcore_store::Attempt;
use support::t0;

fn secret() -> CodeSecret {
    CodeSecret::new(&[9u8; 32]).unwrap()
}

#[test]
fn every_store_round_trips_lockout_codes_and_sessions() {
    if support::skipped() {
        return;
    }
    let rt = support::runtime();
    let dir = support::scratch();
    for kind in support::kinds() {
        rt.block_on(async {
            let spec = support::fresh(kind, &dir).await;
            let store = support::open(&spec, 2).await;
            with_store!(&store, s => {
                let policy = LockoutPolicy::ups_site();
                // A wrong password is stored on admission; a right one resets.
                let r = s.login_at("alice", &policy, t0(), || async { false }).await.unwrap();
                assert!(!r.ok && r.locked.is_none());
                assert_eq!(r.state.unwrap().failures, 1);
                assert_eq!(s.lockout_state("alice").await.unwrap().failures, 1);
                let r = s.login_at("alice", &policy, t0(), || async { true }).await.unwrap();
                assert!(r.ok);
                assert_eq!(s.lockout_state("alice").await.unwrap().failures, 0);
                // Locked: refused without a check, with a retry-after.
                for _ in 0..5 {
                    let _ = s.login_at("bob", &policy, t0(), || async { false }).await.unwrap();
                }
                let r = s
                    .login_at("bob", &policy, t0(), || async { panic!("checked while locked") })
                    .await
                    .unwrap();
                assert!(r.locked.unwrap().retry_after_secs() > 0, "{kind}");
                assert!(s.lockout_reset("bob").await.unwrap());
                assert!(!s.lockout_reset("bob").await.unwrap());
                match s.lockout_admit("bob", &policy, t0()).await.unwrap() {
                    Attempt::Admitted(a) => {
                        assert_eq!(a.state().failures, 1);
                        assert_eq!(s.lockout_settle(a, true, t0()).await.unwrap().failures, 0);
                    }
                    Attempt::Locked(l) => panic!("{kind}: still locked {l:?}"),
                }
                // Keys the store refuses are refused before any I/O.
                let err = s.lockout_state("").await.unwrap_err();
                assert_eq!(err.code(), "store.invalid_key");

                // Codes: one success, then used.
                let cp = CodePolicy::password_reset();
                assert!(s.code_state(cp.purpose.name(), "carol").await.unwrap().is_none());
                assert!(s.code_verify(&cp, &secret(), "carol", "000000", t0()).await.unwrap().is_none());
                let code = s.code_issue(&cp, &secret(), "carol", t0()).await.unwrap();
                let v = s.code_verify(&cp, &secret(), "carol", code.as_str(), t0()).await.unwrap().unwrap();
                assert!(v.result.is_ok(), "{kind}");
                let v = s.code_verify(&cp, &secret(), "carol", code.as_str(), t0()).await.unwrap().unwrap();
                assert!(v.result.is_err(), "{kind}");
                assert!(s.code_state(cp.purpose.name(), "carol").await.unwrap().is_some());

                // Sessions: start, touch, revoke.
                let sp = SessionPolicy::ups_site();
                let _ = s.session_start("sid-1", &sp, t0()).await.unwrap();
                assert!(s.session_touch("sid-1", &sp, t0() + Duration::seconds(5)).await.unwrap().is_some());
                assert!(s.session_revoke("sid-1").await.unwrap());
                assert!(s.session_touch("sid-1", &sp, t0()).await.unwrap().is_none());
                assert!(!s.session_revoke("sid-1").await.unwrap());
                assert!(s.stats().operations() > 10);

                // Leave no keys behind on Redis.
                let _ = s.lockout_reset("alice").await.unwrap();
                let _ = s.lockout_reset("bob").await.unwrap();
            });
            drop(store);
            support::forget_code(&spec, CodePolicy::password_reset().purpose.name(), "carol").await;
            support::cleanup(&spec).await;
        });
    }
}

#[cfg(any(feature = "sqlite", feature = "postgres"))]
#[test]
fn sql_stores_migrate_once_refuse_without_schema_and_purge() {
    if support::skipped() {
        return;
    }
    let rt = support::runtime();
    let dir = support::scratch();
    for kind in support::kinds()
        .into_iter()
        .filter(|k| *k == "sqlite" || *k == "postgres")
    {
        rt.block_on(async {
            // No migrate(): refused with store.schema_mismatch, never created.
            let mut spec = support::fresh(kind, &dir).await;
            spec.prefix = support::unique_prefix();
            let store = support::open(&spec, 1).await;
            with_sql_store!(&store, s => {
                let err = s.lockout_state("x").await.unwrap_err();
                assert_eq!(err.code(), "store.schema_mismatch", "{kind}");
                assert_eq!(s.schema_version().await.unwrap(), 0);
                assert_eq!(s.migrate().await.unwrap(), regcore_store::schema::SCHEMA_VERSION);
                assert_eq!(s.migrate().await.unwrap(), regcore_store::schema::SCHEMA_VERSION);
                assert_eq!(s.schema_version().await.unwrap(), regcore_store::schema::SCHEMA_VERSION);
                let sp = SessionPolicy::ups_site();
                let _ = s.session_start("old", &sp, t0()).await.unwrap();
                let _ = s.login_at("k", &LockoutPolicy::ups_site(), t0(), || async { false }).await.unwrap();
                assert_eq!(s.purge_expired(t0()).await.unwrap(), 0);
                assert_eq!(s.purge_expired(t0() + Duration::days(400)).await.unwrap(), 2, "{kind}");
            });
            drop(store);
            support::cleanup(&spec).await;
        });
    }
}

#[cfg(feature = "postgres")]
#[test]
fn an_unreachable_postgres_is_store_unavailable() {
    let rt = support::runtime();
    rt.block_on(async {
        let options = support::pg_options("host=127.0.0.1 port=1 user=postgres dbname=postgres");
        let pool = sqlx::postgres::PgPoolOptions::new()
            .acquire_timeout(std::time::Duration::from_millis(300))
            .connect_lazy_with(options);
        let store = regcore_store::PostgresStore::new(pool);
        let err = store
            .login("alice", &LockoutPolicy::ups_site(), || async {
                panic!("checked")
            })
            .await
            .unwrap_err();
        assert_eq!(err.code(), "store.unavailable");
        assert_eq!(
            regcore::Coded::kind(err.coded()),
            regcore::ErrorKind::StoreUnavailable
        );
    });
}

#[cfg(feature = "redis")]
#[test]
fn redis_reloads_a_flushed_script_and_rejects_a_foreign_key() {
    if support::skipped() {
        return;
    }
    let rt = support::runtime();
    let dir = support::scratch();
    for kind in ["redis", "cluster"] {
        rt.block_on(async {
            let spec = support::fresh(kind, &dir).await;
            let store = support::open(&spec, 1).await;
            let policy = LockoutPolicy::fixed(1_000_000, 1);
            for round in 0..3u32 {
                support::redis_command(&spec, &["SCRIPT", "FLUSH"]).await;
                let r = with_store!(&store, s => s.login_at("flushed", &policy, t0(), || async { false }).await.unwrap());
                assert_eq!(r.state.unwrap().failures, round + 1, "{kind}");
            }
            let key = regcore_store::redis::key(
                &regcore_store::Prefix::new(&spec.prefix).unwrap(),
                regcore_store::Table::Lockout,
                &["listy"],
            );
            support::redis_command(&spec, &["LPUSH", &key, "x"]).await;
            let err = with_store!(&store, s => s.login_at("listy", &policy, t0(), || async { panic!("checked") }).await.unwrap_err());
            assert_eq!(err.code(), "store.unexpected_reply", "{kind}");
            support::delete_redis_key_async(&spec, &key).await;
            with_store!(&store, s => { let _ = s.lockout_reset("flushed").await.unwrap(); });
        });
    }
}
