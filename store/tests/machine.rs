//! The state machines driven with scripted replies: what each operation
//! sends, and what it does on a conflict, a lost reply, a missing schema, a
//! failed read and an exhausted retry budget.
// Test helpers may unwrap and panic on values they construct: a failure is the point.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::expect_used,
    clippy::arithmetic_side_effects
)]

use chrono::{DateTime, TimeZone, Utc};
use regcore::{
    ActivationAuthority, Coded, ErrorKind, IssuanceRequest, LockoutPolicy, LockoutState,
    MasterSecret, MprId, SessionPolicy, SessionState,
};
use regcore_store::{
    Admit, Command, Dialect, Failure, OpError, Operation, Placeholder, Poll, Prefix, Protocol,
    RedisValue, Reply, RetryPolicy, Value, Want, schema::SCHEMA_VERSION,
};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, 1, 9, 0, 0).unwrap()
}

fn redis() -> Protocol {
    Protocol::redis(Prefix::new("t").unwrap(), RetryPolicy::default())
}

fn sqlite() -> Protocol {
    Protocol::sql(
        Dialect::Sqlite,
        Placeholder::Question,
        Prefix::new("t").unwrap(),
        RetryPolicy::default(),
    )
}

/// A PostgreSQL protocol past its one-time schema check.
fn postgres_checked() -> Protocol {
    checked(Protocol::sql(
        Dialect::Postgres,
        Placeholder::Dollar,
        Prefix::new("t").unwrap(),
        RetryPolicy::default(),
    ))
}

/// A SQLite protocol past its one-time schema check.
fn sqlite_checked() -> Protocol {
    checked(sqlite())
}

fn checked(p: Protocol) -> Protocol {
    let mut op = p.lockout_state("warm").unwrap();
    let replies = [
        Reply::Row(Some(vec![Value::Int(1)])),
        Reply::Row(Some(vec![Value::Int(i64::from(SCHEMA_VERSION))])),
        Reply::Row(Some(vec![Value::Null, Value::Int(0), VERSION])),
    ];
    let mut sent = Vec::new();
    let done = drive(&mut op, replies, &mut sent);
    assert!(done.is_ok(), "{done:?}");
    assert_eq!(sent.len(), 3);
    p
}

/// Drive `op`, answering each command with the next scripted reply; the
/// commands it sent.
fn drive<T: Send + 'static>(
    op: &mut Operation<T>,
    replies: impl IntoIterator<Item = Reply>,
    sent: &mut Vec<Command>,
) -> Result<T, OpError> {
    let mut replies = replies.into_iter();
    let mut reply = None;
    loop {
        match op.resume(reply.take()) {
            Poll::Done(result) => return result,
            Poll::Send(command) => {
                sent.push(command);
                reply = Some(
                    replies
                        .next()
                        .expect("the script has a reply for every command"),
                );
            }
        }
    }
}

fn cas(written: bool, current: &str) -> Reply {
    if written {
        Reply::Redis(RedisValue::Array(vec![RedisValue::Int(1)]))
    } else {
        Reply::Redis(RedisValue::Array(vec![
            RedisValue::Int(0),
            RedisValue::Text(current.to_owned()),
        ]))
    }
}

/// The schema version a migrated database reports.
const VERSION: Value = Value::Int(SCHEMA_VERSION as i64);

#[test]
fn a_login_on_a_fresh_redis_key_is_one_round_trip_each_way() {
    let p = redis();
    let policy = LockoutPolicy::ups_site();
    let mut admit = p.lockout_admit("alice", &policy, t0(), 1).unwrap();
    let mut sent = Vec::new();
    let Admit::Admitted { admission, stored } =
        drive(&mut admit, [cas(true, "")], &mut sent).unwrap()
    else {
        panic!("a fresh key is admitted");
    };
    assert_eq!(admit.replies(), 1);
    let Command::RedisCas { key, args } = &sent[0] else {
        panic!("{sent:?}")
    };
    assert_eq!(key, "t:lockout:{alice}");
    assert_eq!(args[0], "", "expects the key absent");
    assert_eq!(args[1], stored);
    let mut settle = p
        .lockout_settle("alice", &policy, admission.success(), &stored, t0(), 2)
        .unwrap();
    let mut sent = Vec::new();
    let state = drive(&mut settle, [cas(true, "")], &mut sent).unwrap();
    assert_eq!(state.failures, 0);
    assert_eq!(settle.replies(), 1);
    let Command::RedisCas { args, .. } = &sent[0] else {
        panic!()
    };
    assert_eq!(
        args[0], stored,
        "compares against what the admission stored"
    );
}

#[test]
fn a_login_on_a_fresh_sql_key_is_one_statement_each_way() {
    let p = sqlite_checked();
    let policy = LockoutPolicy::ups_site();
    let mut admit = p.lockout_admit("bob", &policy, t0(), 1).unwrap();
    let mut sent = Vec::new();
    let Admit::Admitted { admission, stored } =
        drive(&mut admit, [Reply::Count(1)], &mut sent).unwrap()
    else {
        panic!();
    };
    let Command::Sql { sql, want, .. } = &sent[0] else {
        panic!()
    };
    assert!(
        sql.starts_with("INSERT INTO t_lockout") && *want == Want::Count,
        "{sql}"
    );
    let mut settle = p
        .lockout_settle("bob", &policy, admission.success(), &stored, t0(), 2)
        .unwrap();
    let mut sent = Vec::new();
    drive(&mut settle, [Reply::Count(1)], &mut sent).unwrap();
    assert_eq!(sent.len(), 1);
}

#[test]
fn a_lost_sql_race_sleeps_reads_and_retries() {
    let p = postgres_checked();
    let policy = LockoutPolicy::ups_site();
    let held = LockoutState {
        failures: 1,
        ..LockoutState::default()
    }
    .encode();
    let mut admit = p.lockout_admit("carol", &policy, t0(), 1).unwrap();
    let mut sent = Vec::new();
    let replies = [
        Reply::Count(0), // guessed absent: wrong
        Reply::Row(Some(vec![
            Value::Text(held.clone()),
            Value::Int(0),
            VERSION,
        ])), // read
        Reply::Count(0), // lost the race
        Reply::Slept { elapsed_ms: 1.0 },
        Reply::Row(Some(vec![
            Value::Text(held.clone()),
            Value::Int(0),
            VERSION,
        ])), // read again
        Reply::Count(1),
    ];
    let result = drive(&mut admit, replies, &mut sent).unwrap();
    assert!(matches!(result, Admit::Admitted { .. }));
    assert_eq!(admit.conflicts(), 1, "the wrong guess is not a conflict");
    assert!(matches!(sent[3], Command::Sleep { ms } if (0.0..=20.0).contains(&ms)));
}

#[test]
fn a_lost_reply_after_a_write_is_outcome_unknown_and_never_resent() {
    let p = redis();
    let mut admit = p
        .lockout_admit("dave", &LockoutPolicy::ups_site(), t0(), 1)
        .unwrap();
    let mut sent = Vec::new();
    let err = drive(&mut admit, [Reply::Failed(Failure::Unavailable)], &mut sent).unwrap_err();
    assert_eq!(err.code(), "store.outcome_unknown");
    assert_eq!(err.coded().kind(), ErrorKind::StoreUnavailable);
    assert_eq!(sent.len(), 1, "the write was not sent again");
    let mut admit = p
        .lockout_admit("dave", &LockoutPolicy::ups_site(), t0(), 1)
        .unwrap();
    let err = drive(
        &mut admit,
        [Reply::Failed(Failure::Unreachable)],
        &mut Vec::new(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "store.unavailable");
}

#[test]
fn a_missing_or_old_schema_is_schema_mismatch() {
    let p = sqlite();
    let mut op = p.lockout_state("k").unwrap();
    let err = drive(
        &mut op,
        [Reply::Row(Some(vec![Value::Int(0)]))],
        &mut Vec::new(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "store.schema_mismatch");
    assert_eq!(err.coded().params()[0], ("found", "0".to_owned()));
    let mut op = p.lockout_state("k").unwrap();
    let replies = [
        Reply::Row(Some(vec![Value::Int(1)])),
        Reply::Row(Some(vec![Value::Int(99)])),
    ];
    let err = drive(&mut op, replies, &mut Vec::new()).unwrap_err();
    assert_eq!(err.coded().params()[0], ("found", "99".to_owned()));
    let checked = sqlite_checked();
    let mut op = checked.lockout_state("k").unwrap();
    let err = drive(
        &mut op,
        [Reply::Failed(Failure::MissingTable)],
        &mut Vec::new(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "store.schema_mismatch");
}

#[test]
fn a_database_migrated_under_a_running_store_is_noticed_at_the_next_operation() {
    // The schema was checked once; then another deployment migrated the
    // database to version 2. Every cell read returns the version, and
    // every cell write is guarded by it.
    let checked = sqlite_checked();
    let mut op = checked.lockout_state("k").unwrap();
    let mut sent = Vec::new();
    let err = drive(
        &mut op,
        [Reply::Row(Some(vec![
            Value::Null,
            Value::Int(0),
            Value::Int(2),
        ]))],
        &mut sent,
    )
    .unwrap_err();
    assert_eq!(err.code(), "store.schema_mismatch");
    assert_eq!(err.coded().params()[0], ("found", "2".to_owned()));
    let Command::Sql { sql, .. } = &sent[0] else {
        panic!("{sent:?}")
    };
    assert!(
        sql.ends_with("(SELECT value FROM t_meta WHERE name = 'schema_version')"),
        "{sql}"
    );
    // A write that guessed the key absent: the guard refuses it (0 rows),
    // the read that follows finds the new version.
    let mut admit = checked
        .lockout_admit("k", &LockoutPolicy::ups_site(), t0(), 1)
        .unwrap();
    let mut sent = Vec::new();
    let err = drive(
        &mut admit,
        [
            Reply::Count(0),
            Reply::Count(0), // BEGIN IMMEDIATE
            Reply::Row(Some(vec![Value::Null, Value::Int(0), Value::Int(2)])),
            Reply::Count(0), // ROLLBACK
        ],
        &mut sent,
    )
    .unwrap_err();
    assert_eq!(err.code(), "store.schema_mismatch");
    let Command::Sql { sql, .. } = &sent[0] else {
        panic!("{sent:?}")
    };
    assert!(
        sql.contains("AND (SELECT value FROM t_meta WHERE name = 'schema_version') = 1"),
        "{sql}"
    );
    // No recorded version at all (the meta row removed): found 0.
    let mut op = checked.lockout_state("k").unwrap();
    let err = drive(
        &mut op,
        [Reply::Row(Some(vec![
            Value::Null,
            Value::Int(0),
            Value::Null,
        ]))],
        &mut Vec::new(),
    )
    .unwrap_err();
    assert_eq!(err.coded().params()[0], ("found", "0".to_owned()));
}

#[test]
fn a_failed_read_is_retried_three_times_then_unavailable() {
    let p = redis();
    let mut op = p
        .session_touch("s", &SessionPolicy::ups_site(), t0(), 1)
        .unwrap();
    let mut replies = Vec::new();
    for _ in 0..3 {
        replies.push(Reply::Failed(Failure::Unavailable));
        replies.push(Reply::Slept { elapsed_ms: 1.0 });
    }
    replies.push(Reply::Failed(Failure::Unavailable));
    let mut sent = Vec::new();
    let err = drive(&mut op, replies, &mut sent).unwrap_err();
    assert_eq!(err.code(), "store.unavailable");
    assert_eq!(
        sent.iter()
            .filter(|c| matches!(c, Command::RedisGet { .. }))
            .count(),
        4
    );
}

#[test]
fn the_retry_budget_running_out_is_contended_and_nothing_is_returned() {
    let retry = RetryPolicy::new(4, 5_000.0, 0.5, 20.0).unwrap();
    let p = Protocol::redis(Prefix::new("t").unwrap(), retry);
    let start = SessionState::start(t0()).encode();
    let later = t0() + chrono::Duration::minutes(1);
    let mut op = p
        .session_touch("s", &SessionPolicy::ups_site(), later, 1)
        .unwrap();
    let mut sent = Vec::new();
    let mut reply = None;
    let err = loop {
        match op.resume(reply.take()) {
            Poll::Done(result) => break result.unwrap_err(),
            Poll::Send(command) => {
                reply = Some(match &command {
                    Command::RedisGet { .. } => Reply::Redis(RedisValue::Text(start.clone())),
                    Command::RedisCas { .. } => cas(false, &start),
                    Command::Sleep { .. } => Reply::Slept { elapsed_ms: 1.0 },
                    other => panic!("{other:?}"),
                });
                sent.push(command);
            }
        }
    };
    assert_eq!(err.code(), "store.contended");
    assert_eq!(err.coded().params()[1], ("attempts", "4".to_owned()));
    assert_eq!(op.conflicts(), 4);
    let tries = sent
        .iter()
        .filter(|c| matches!(c, Command::RedisCas { .. }))
        .count();
    assert_eq!(tries, 4);
}

#[test]
fn past_the_deadline_no_new_try_starts() {
    let retry = RetryPolicy::new(200, 10.0, 0.5, 20.0).unwrap();
    let p = Protocol::redis(Prefix::new("t").unwrap(), retry);
    let mut op = p.session_revoke("s", 1).unwrap();
    let replies = [
        Reply::Redis(RedisValue::Text("s1.1.1".into())),
        cas(false, "s1.1.2"),
        cas(false, "s1.1.3"),
        Reply::Slept { elapsed_ms: 11.0 },
    ];
    let err = drive(&mut op, replies, &mut Vec::new()).unwrap_err();
    assert_eq!(err.code(), "store.contended");
}

#[test]
fn a_reply_of_the_wrong_shape_is_stored_state() {
    let p = redis();
    let mut op = p.code_state("sign_up", "u").unwrap();
    let err = drive(&mut op, [Reply::Redis(RedisValue::Int(3))], &mut Vec::new()).unwrap_err();
    assert_eq!(err.code(), "store.unexpected_reply");
    assert_eq!(err.coded().kind(), ErrorKind::StoredState);
    let mut op = p.code_state("sign_up", "u").unwrap();
    let err = drive(&mut op, [Reply::Failed(Failure::Rejected)], &mut Vec::new()).unwrap_err();
    assert_eq!(err.coded().kind(), ErrorKind::StoredState);
    let mut op = p.lockout_state("k").unwrap();
    let err = drive(
        &mut op,
        [Reply::Redis(RedisValue::Text("garbage".into()))],
        &mut Vec::new(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "lockout.malformed_state");
}

#[test]
fn a_spent_operation_or_a_missing_reply_is_refused() {
    let p = redis();
    let mut op = p.lockout_state("k").unwrap();
    assert!(matches!(
        op.resume(None),
        Poll::Send(Command::RedisGet { .. })
    ));
    // Resumed without the reply it waits for.
    assert!(matches!(op.resume(None), Poll::Done(Err(_))));
    assert!(op.is_done());
    assert!(matches!(
        op.resume(Some(Reply::Count(1))),
        Poll::Done(Err(_))
    ));
}

#[test]
fn bad_keys_are_refused_before_any_io() {
    let p = redis();
    let policy = LockoutPolicy::ups_site();
    for (key, reason) in [
        ("", "empty"),
        ("a\0b", "nul"),
        (&*"x".repeat(513), "too_long"),
    ] {
        let err = p.lockout_admit(key, &policy, t0(), 1).unwrap_err();
        assert_eq!(err.code(), "store.invalid_key");
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(err.params()[1], ("reason", reason.to_owned()));
    }
    assert!(p.lockout_admit(&"x".repeat(512), &policy, t0(), 1).is_ok());
}

fn master() -> MasterSecret {
    MasterSecret::new(1, &[7u8; 32]).unwrap()
}

#[test]
fn a_ledger_issue_is_one_transaction_and_a_lost_bind_replans() {
    let p = sqlite_checked();
    let key = ActivationAuthority::new(&master()).mint(0x0101, 1).unwrap();
    let terminal = MprId::parse("0123-4567-89AB-CDEF").unwrap();
    let request = IssuanceRequest::new(
        terminal,
        vec![key],
        regcore::Mode::Real,
        regcore::Viewer::Customer,
    )
    .unwrap();
    let mut op = p.ledger_issue(&master(), &request, t0(), 1).unwrap();
    let other = MprId::parse("0000-0000-0000-0001").unwrap();
    let rival = vec![
        Value::Text(key.number.compact()),
        Value::Text(other.compact()),
        Value::Int(0x0101),
        Value::Text(
            regcore::RegistrationKey::issue(&master(), other, key.number, 0x0101).compact(),
        ),
        Value::Int(t0().timestamp_millis()),
    ];
    // Every write transaction starts with the server's clock and the schema
    // version (a database migrated under the store is noticed there).
    let check = || Reply::Row(Some(vec![Value::Int(0), VERSION]));
    let replies = [
        Reply::Count(0), // BEGIN IMMEDIATE
        check(),
        Reply::Rows(vec![]), // not bound yet
        Reply::Count(0),     // another request bound it first
        Reply::Count(0),     // ROLLBACK
        Reply::Slept { elapsed_ms: 1.0 },
        Reply::Count(0), // BEGIN IMMEDIATE
        check(),
        Reply::Rows(vec![rival]),
        Reply::Count(0), // COMMIT (a refusal writes no binding and no history)
    ];
    let mut sent = Vec::new();
    let plan = drive(&mut op, replies, &mut sent).unwrap();
    let texts: Vec<&str> = sent
        .iter()
        .filter_map(|c| match c {
            Command::Sql { sql, .. } => Some(sql.split_whitespace().next().unwrap_or("")),
            _ => None,
        })
        .collect();
    assert_eq!(
        texts,
        [
            "BEGIN", "SELECT", "SELECT", "INSERT", "ROLLBACK", "BEGIN", "SELECT", "SELECT",
            "COMMIT"
        ]
    );
    assert!(
        plan.new_bindings.is_empty(),
        "the loser is refused after re-planning"
    );
    assert_eq!(op.conflicts(), 1);
    // The same transaction on a database migrated to version 2 since this
    // store checked it: rolled back, store.schema_mismatch.
    let mut op = p.ledger_issue(&master(), &request, t0(), 1).unwrap();
    let replies = [
        Reply::Count(0), // BEGIN IMMEDIATE
        Reply::Row(Some(vec![Value::Int(0), Value::Int(2)])),
        Reply::Count(0), // ROLLBACK
    ];
    let mut sent = Vec::new();
    let err = drive(&mut op, replies, &mut sent).unwrap_err();
    assert_eq!(err.code(), "store.schema_mismatch");
    assert!(matches!(&sent[2], Command::Sql { sql, .. } if sql == "ROLLBACK"));
}

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

#[test]
fn with_the_server_clock_a_skewed_redis_write_is_decided_again_on_the_servers_time() {
    let p = redis();
    let policy = LockoutPolicy::ups_site();
    let true_now = t0();
    let fast = true_now + chrono::Duration::minutes(10); // this app server's clock
    let mut admit = p
        .lockout_admit("alice", &policy, regcore_store::Clock::Server(fast), 1)
        .unwrap();
    let mut sent = Vec::new();
    let skewed = Reply::Redis(RedisValue::Array(vec![
        RedisValue::Int(2),
        RedisValue::Int(ms(true_now)),
    ]));
    let result = drive(&mut admit, [skewed, cas(true, "")], &mut sent).unwrap();
    let Admit::Admitted { admission, .. } = result else {
        panic!()
    };
    assert_eq!(
        admission.admitted_at(),
        true_now,
        "decided on the store's clock"
    );
    let Command::RedisCas { args, .. } = &sent[0] else {
        panic!()
    };
    assert_eq!(args[3], ms(fast).to_string());
    assert_eq!(args[4], "1000");
    let Command::RedisCas { args, .. } = &sent[1] else {
        panic!()
    };
    assert_eq!(args[3], ms(true_now).to_string());
    assert_eq!(admit.conflicts(), 0);
    // The store remembers the offset: the next operation starts on it.
    let mut next = p
        .lockout_admit("bob", &policy, regcore_store::Clock::Server(fast), 2)
        .unwrap();
    let mut sent = Vec::new();
    drive(&mut next, [cas(true, "")], &mut sent).unwrap();
    let Command::RedisCas { args, .. } = &sent[0] else {
        panic!()
    };
    assert_eq!(args[3], ms(true_now).to_string());
}

#[test]
fn with_the_callers_clock_no_guard_is_sent() {
    let p = redis();
    let mut admit = p
        .lockout_admit("carol", &LockoutPolicy::ups_site(), t0(), 1)
        .unwrap();
    let mut sent = Vec::new();
    drive(&mut admit, [cas(true, "")], &mut sent).unwrap();
    let Command::RedisCas { args, .. } = &sent[0] else {
        panic!()
    };
    assert_eq!(args[4], "", "the caller's own now is used as given");
}

#[test]
fn with_the_server_clock_a_sql_read_corrects_a_skewed_application_clock() {
    let p = postgres_checked();
    let policy = LockoutPolicy::ups_site();
    let true_now = t0();
    let slow = true_now - chrono::Duration::minutes(10);
    let mut admit = p
        .lockout_admit("dave", &policy, regcore_store::Clock::Server(slow), 1)
        .unwrap();
    let mut sent = Vec::new();
    let replies = [
        Reply::Count(0), // the guard refused the insert (or the key exists)
        Reply::Row(Some(vec![Value::Null, Value::Int(ms(true_now)), VERSION])),
        Reply::Count(1),
    ];
    let Admit::Admitted { admission, .. } = drive(&mut admit, replies, &mut sent).unwrap() else {
        panic!()
    };
    assert_eq!(admission.admitted_at(), true_now);
    let Command::Sql { params, .. } = &sent[2] else {
        panic!()
    };
    let n = params.len();
    assert_eq!(
        params[n - 3..],
        [Value::Int(1000), Value::Int(ms(true_now)), Value::Int(1000)]
    );
}

#[test]
fn sqlite_reads_decides_and_writes_under_the_write_lock_once_it_must_read() {
    let p = sqlite_checked();
    let policy = LockoutPolicy::ups_site();
    let held = LockoutState {
        failures: 2,
        ..LockoutState::default()
    }
    .encode();
    let mut admit = p.lockout_admit("erin", &policy, t0(), 1).unwrap();
    let mut sent = Vec::new();
    let replies = [
        Reply::Count(0),                  // guessed absent: wrong
        Reply::Failed(Failure::Conflict), // BEGIN IMMEDIATE: busy
        Reply::Slept { elapsed_ms: 1.0 },
        Reply::Count(0), // BEGIN IMMEDIATE
        Reply::Row(Some(vec![
            Value::Text(held.clone()),
            Value::Int(0),
            VERSION,
        ])),
        Reply::Count(1), // UPDATE
        Reply::Count(0), // COMMIT
    ];
    let result = drive(&mut admit, replies, &mut sent).unwrap();
    let Admit::Admitted { admission, .. } = result else {
        panic!()
    };
    assert_eq!(admission.state().failures, 3);
    let heads: Vec<&str> = sent
        .iter()
        .map(|c| match c {
            Command::Sql { sql, .. } => sql.split_whitespace().next().unwrap_or(""),
            Command::Sleep { .. } => "sleep",
            _ => "?",
        })
        .collect();
    assert_eq!(
        heads,
        [
            "INSERT", "BEGIN", "sleep", "BEGIN", "SELECT", "UPDATE", "COMMIT"
        ]
    );
    assert_eq!(admit.conflicts(), 1);
}
