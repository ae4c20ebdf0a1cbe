//! The store protocol's state machines fed arbitrary answers.
//!
//! Input bytes: backend (Redis, SQLite `?`, PostgreSQL `$1`, PostgreSQL
//! `%s`), operation (every operation of `regcore_store::Protocol`), flags
//! (schema already checked, retry budget 1–4 tries, a 10 ms or 5 s
//! deadline, lockout policy, ledger filter), a time offset, then one answer
//! per command: mostly an answer of the shape the command asks for with
//! fuzzed content (stored states, binding and history rows from a pool of
//! valid texts, or arbitrary values), otherwise any failure, count, row or
//! Redis value whatever was asked (zeros once the input runs out).
//!
//! Asserts: no panic; the operation ends within a bounded number of
//! commands (the retry budget keeps every loop finite) and is spent after;
//! it sends only its backend's commands and sleeps within the policy's
//! bounds; at most `attempts` lost races are counted; errors carry
//! `store.*` or a domain code; and a write whose reply was lost
//! (`Unavailable`) never ends in a success: a lost compare-and-set or
//! `COMMIT` ends `store.outcome_unknown`, a lost statement inside a
//! transaction `store.unavailable` or `store.outcome_unknown`.
#![no_main]

use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, Utc};
use libfuzzer_sys::fuzz_target;
use regcore::code::{CodePolicy, CodeSecret};
use regcore::ledger::DateRange;
use regcore::lockout::{LockoutPolicy, LockoutState};
use regcore::pairing::{IssuanceRequest, Mode, Viewer};
use regcore::session::{SessionPolicy, SessionState};
use regcore::{ActivationAuthority, ActivationKey, MprId, RegistrationKey};
use regcore_fuzz::{Bytes, assert_coded, instant_near, master};
use regcore_store::{
    Command, Dialect, Failure, LedgerFilter, Operation, Placeholder, Poll, Prefix, Protocol,
    RedisValue, Reply, RetryPolicy, Value, Want, schema::SCHEMA_VERSION,
};

/// Far more commands than any operation sends with a budget of 4 tries.
const MAX_COMMANDS: u32 = 600;

struct Pool {
    texts: Vec<String>,
    keys: Vec<ActivationKey>,
    terminals: Vec<MprId>,
    binding_rows: Vec<Vec<Value>>,
    history_rows: Vec<Vec<Value>>,
    secret: CodeSecret,
    code: String,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let m = master();
        let t = instant_near(0);
        let authority = ActivationAuthority::new(&m);
        let keys: Vec<ActivationKey> = (0..2u16)
            .map(|i| {
                authority
                    .mint(0x0101 + i, u64::from(i) + 1)
                    .expect("serial in range")
            })
            .collect();
        let terminals = vec![MprId::from_u64(0x0123_4567), MprId::from_u64(0x89AB_CDEF)];
        let secret = CodeSecret::new(&[3u8; 32]).expect("32 bytes");
        let policy = CodePolicy::sign_up();
        let (state, code) = policy.issue(&secret, "u", None, t).expect("short subject");
        let ups = LockoutPolicy::ups_site();
        let mut lockout = LockoutState::default();
        let mut texts = vec![lockout.encode()];
        for _ in 0..5 {
            lockout = lockout.record_failure(&ups, t);
            texts.push(lockout.encode());
        }
        let mut spent = state;
        spent.used = true;
        let mut burned = state;
        burned.attempts = 5;
        texts.extend([
            state.encode(),
            spent.encode(),
            burned.encode(),
            SessionState::start(t).encode(),
            "issued".to_owned(),
            "reissued".to_owned(),
            "rebound".to_owned(),
            "1".to_owned(),
            String::new(),
            "garbage".to_owned(),
        ]);
        let mut binding_rows = Vec::new();
        let mut history_rows = Vec::new();
        for key in &keys {
            texts.push(key.number.compact());
            for mpr in &terminals {
                let rk = RegistrationKey::issue(&m, *mpr, key.number, 0x0101);
                texts.push(rk.compact());
                binding_rows.push(vec![
                    Value::Text(key.number.compact()),
                    Value::Text(mpr.compact()),
                    Value::Int(0x0101),
                    Value::Text(rk.compact()),
                    Value::Int(t.timestamp_millis()),
                ]);
                history_rows.push(vec![
                    Value::Int(t.timestamp_millis()),
                    Value::Text("issued".to_owned()),
                    Value::Text(mpr.compact()),
                    Value::Text(key.number.compact()),
                    Value::Int(0x0101),
                    Value::Text(rk.compact()),
                ]);
            }
        }
        texts.extend(terminals.iter().map(|t| t.compact()));
        Pool {
            texts,
            keys,
            terminals,
            binding_rows,
            history_rows,
            secret,
            code: code.as_str().to_owned(),
        }
    })
}

fn pick<'a, T>(b: &mut Bytes, items: &'a [T]) -> &'a T {
    &items[usize::from(b.u8()) % items.len()]
}

fn text(b: &mut Bytes) -> String {
    if b.u8() % 4 == 0 {
        let n = usize::from(b.u8() % 24);
        String::from_utf8_lossy(&b.array::<24>()[..n]).into_owned()
    } else {
        pick(b, &pool().texts).clone()
    }
}

fn value(b: &mut Bytes) -> Value {
    match b.u8() % 5 {
        0 => Value::Null,
        1 => Value::Int(b.i64()),
        2 => Value::Int(i64::from(b.u8() % 4)),
        _ => Value::Text(text(b)),
    }
}

fn values(b: &mut Bytes) -> Vec<Value> {
    (0..b.u8() % 8).map(|_| value(b)).collect()
}

fn row(b: &mut Bytes) -> Vec<Value> {
    let p = pool();
    match b.u8() % 4 {
        0 => pick(b, &p.binding_rows).clone(),
        1 => pick(b, &p.history_rows).clone(),
        2 => vec![Value::Int(i64::from(b.u8() % 3))],
        _ => values(b),
    }
}

fn redis_value(b: &mut Bytes, depth: u8) -> RedisValue {
    match b.u8() % 4 {
        0 => RedisValue::Nil,
        1 => RedisValue::Int(i64::from(b.u8() % 3)),
        2 => RedisValue::Text(text(b)),
        _ if depth > 1 => RedisValue::Nil,
        _ => RedisValue::Array((0..b.u8() % 3).map(|_| redis_value(b, depth + 1)).collect()),
    }
}

/// An answer of the shape `command` asks for, with fuzzed content.
fn natural(b: &mut Bytes, command: &Command) -> Reply {
    match command {
        Command::Sleep { .. } => Reply::Slept {
            elapsed_ms: f64::from(b.u16()),
        },
        Command::RedisGet { .. } => match b.u8() % 2 {
            0 => Reply::Redis(RedisValue::Nil),
            _ => Reply::Redis(RedisValue::Text(text(b))),
        },
        Command::RedisCas { .. } => Reply::Redis(RedisValue::Array(match b.u8() % 4 {
            0 => vec![RedisValue::Int(1)],
            1 => vec![RedisValue::Int(0), RedisValue::Text(text(b))],
            // The store's clock differs from the operation's (server-clock mode).
            2 => vec![
                RedisValue::Int(2),
                RedisValue::Int(instant_near(i32::from(b.u16()) - 32_768).timestamp_millis()),
            ],
            _ => vec![RedisValue::Int(0), RedisValue::Nil],
        })),
        Command::Sql { want, .. } => match want {
            Want::Count => Reply::Count(u64::from(b.u8() % 3)),
            Want::Row => match b.u8() % 3 {
                0 => Reply::Row(None),
                _ => Reply::Row(Some(row(b))),
            },
            Want::Rows => Reply::Rows((0..b.u8() % 4).map(|_| row(b)).collect()),
        },
        _ => Reply::Failed(Failure::Rejected),
    }
}

fn reply(b: &mut Bytes, command: &Command) -> Reply {
    match b.u8() % 16 {
        0..=7 => natural(b, command),
        8 => Reply::Failed(Failure::Conflict),
        9 => Reply::Failed(Failure::Unavailable),
        10 => Reply::Failed(Failure::Unreachable),
        11 => Reply::Failed(Failure::MissingTable),
        12 => Reply::Failed(Failure::Rejected),
        13 => Reply::Count(u64::from(b.u8())),
        14 => Reply::Rows((0..b.u8() % 3).map(|_| row(b)).collect()),
        _ => Reply::Redis(redis_value(b, 0)),
    }
}

/// Answer the schema check of a SQL store's first operation correctly.
fn warm(protocol: &Protocol) {
    let mut op = protocol.lockout_state("warm").expect("valid key");
    let answers = [
        Reply::Row(Some(vec![Value::Int(1)])),
        Reply::Row(Some(vec![Value::Int(i64::from(SCHEMA_VERSION))])),
        // The cell read: no state, the store's clock, the schema version.
        Reply::Row(Some(vec![
            Value::Null,
            Value::Int(0),
            Value::Int(i64::from(SCHEMA_VERSION)),
        ])),
    ];
    let mut answers = answers.into_iter();
    let mut reply = None;
    loop {
        match op.resume(reply.take()) {
            Poll::Done(result) => {
                assert!(result.is_ok());
                return;
            }
            Poll::Send(_) => reply = answers.next(),
        }
    }
}

fn sql_head(command: &Command) -> Option<&str> {
    match command {
        Command::Sql { sql, .. } => Some(sql.trim_start()),
        _ => None,
    }
}

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let p = pool();
    let backend = b.u8() % 4;
    let which = b.u8();
    let flags = b.u8();
    let now: DateTime<Utc> = instant_near(i32::from(b.u16()) - 32_768);
    let attempts = 1 + u32::from((flags >> 1) & 3);
    let deadline = if flags & 8 == 0 { 5_000.0 } else { 10.0 };
    let retry = RetryPolicy::new(attempts, deadline, 0.5, 20.0).expect("valid policy");
    let prefix = Prefix::new("fz").expect("valid prefix");
    let protocol = match backend {
        0 => Protocol::redis(prefix, retry),
        1 => Protocol::sql(Dialect::Sqlite, Placeholder::Question, prefix, retry),
        2 => Protocol::sql(Dialect::Postgres, Placeholder::Dollar, prefix, retry),
        _ => Protocol::sql(Dialect::Postgres, Placeholder::Percent, prefix, retry),
    };
    if backend != 0 && flags & 1 == 1 {
        warm(&protocol);
    }
    let lockout = if flags & 16 == 0 {
        LockoutPolicy::ups_site()
    } else {
        LockoutPolicy::device_entry()
    };
    let code_policy = CodePolicy::sign_up();
    let session = SessionPolicy::ups_site();
    let m = master();
    let seed = u64::from(flags);
    let made: Result<Operation<()>, regcore_store::StoreError> = match which % 19 {
        0 => protocol
            .lockout_admit("alice", &lockout, now, seed)
            .map(|o| o.map(drop)),
        1 => {
            let admission = LockoutState::default()
                .attempt(&lockout, now)
                .expect("a fresh state admits");
            let admitted = admission.state().encode();
            protocol
                .lockout_settle("alice", &lockout, admission.success(), &admitted, now, seed)
                .map(|o| o.map(drop))
        }
        2 => protocol.lockout_reset("alice", seed).map(|o| o.map(drop)),
        3 => protocol.lockout_state("alice").map(|o| o.map(drop)),
        4 => protocol
            .code_issue(&code_policy, &p.secret, "u", now, seed)
            .map(|o| o.map(drop)),
        5 => {
            let typed = if flags & 32 == 0 {
                p.code.as_str()
            } else {
                "123456"
            };
            protocol
                .code_verify(&code_policy, &p.secret, "u", typed, now, seed)
                .map(|o| o.map(drop))
        }
        6 => protocol.code_state("sign_up", "u").map(|o| o.map(drop)),
        7 => protocol
            .session_start("s", &session, now, seed)
            .map(|o| o.map(drop)),
        8 => protocol
            .session_touch("s", &session, now, seed)
            .map(|o| o.map(drop)),
        9 => protocol.session_revoke("s", seed).map(|o| o.map(drop)),
        10 => protocol.migrate(seed).map(|o| o.map(drop)),
        11 => protocol.schema_version().map(|o| o.map(drop)),
        12 => protocol.purge_expired(now, seed).map(|o| o.map(drop)),
        13 => {
            let mut keys = vec![p.keys[0]];
            if flags & 32 != 0 {
                keys.push(p.keys[1]);
            }
            let mode = if flags & 64 == 0 {
                Mode::Real
            } else {
                Mode::Demo
            };
            let request = IssuanceRequest::new(p.terminals[0], keys, mode, Viewer::Admin)
                .expect("distinct keys");
            protocol
                .ledger_issue(&m, &request, now, seed)
                .map(|o| o.map(drop))
        }
        14 => protocol
            .ledger_rebind(
                &m,
                p.keys[0].number,
                p.terminals[1],
                "admin",
                "why",
                now,
                seed,
            )
            .map(|o| o.map(drop)),
        15 => {
            let filter = match flags >> 5 {
                0 => LedgerFilter::MprId(p.terminals[0]),
                1 => LedgerFilter::ActivationNumber(p.keys[0].number),
                _ => LedgerFilter::All,
            };
            protocol.ledger_bindings(filter).map(|o| o.map(drop))
        }
        16 => protocol.ledger_rebinds().map(|o| o.map(drop)),
        17 | 18 => {
            let day = NaiveDate::from_ymd_opt(2025, 4, 1).expect("a date");
            let range = (flags & 32 != 0).then_some(DateRange { from: day, to: day });
            let offset = regcore_store::utc_offset(i64::from((flags >> 6) % 3) * 9 * 3600)
                .expect("whole hours");
            if which % 19 == 17 {
                protocol.ledger_history(range, offset).map(|o| o.map(drop))
            } else {
                protocol
                    .ledger_daily_counts(range, offset)
                    .map(|o| o.map(drop))
            }
        }
        _ => unreachable!("19 operations"),
    };
    let mut op = match made {
        Ok(op) => op,
        Err(err) => {
            // Only SQL-only operations on Redis are refused before any I/O.
            assert_eq!(backend, 0, "{err:?}");
            assert_eq!(regcore::Coded::code(&err), "store.unsupported");
            return;
        }
    };
    let mut commands = 0u32;
    let mut lost: Option<Command> = None;
    let mut reply_in = None;
    let result = loop {
        match op.resume(reply_in.take()) {
            Poll::Done(result) => break result,
            Poll::Send(command) => {
                commands += 1;
                assert!(
                    commands <= MAX_COMMANDS,
                    "no end after {MAX_COMMANDS} commands"
                );
                match &command {
                    Command::Sleep { ms } => {
                        assert!(ms.is_finite() && (0.0..=20.0).contains(ms), "sleep {ms}");
                    }
                    Command::RedisGet { .. } | Command::RedisCas { .. } => {
                        assert_eq!(backend, 0, "{command:?} to SQL");
                    }
                    Command::Sql { .. } => assert_ne!(backend, 0, "{command:?} to Redis"),
                    other => panic!("unknown command {other:?}"),
                }
                let answer = reply(&mut b, &command);
                let rollback = sql_head(&command) == Some("ROLLBACK");
                if answer == Reply::Failed(Failure::Unavailable)
                    && command.writes()
                    && !rollback
                    && lost.is_none()
                {
                    lost = Some(command);
                }
                reply_in = Some(answer);
            }
        }
    };
    assert!(op.is_done());
    assert_eq!(op.replies(), commands);
    assert!(op.conflicts() <= attempts, "{} conflicts", op.conflicts());
    assert!(
        matches!(op.resume(None), Poll::Done(Err(_))),
        "a spent operation ran again"
    );
    match (result, lost) {
        (Ok(()), None) => {}
        (Ok(()), Some(command)) => panic!("success after the lost reply of {command:?}"),
        (Err(err), lost) => {
            assert_coded(
                err.coded(),
                &[
                    "store.",
                    "lockout.",
                    "code.",
                    "session.",
                    "ledger.",
                    "issuance.",
                ],
            );
            if let Some(command) = lost {
                let code = err.code();
                let certain = matches!(command, Command::RedisCas { .. })
                    || sql_head(&command) == Some("COMMIT");
                if certain {
                    assert_eq!(code, "store.outcome_unknown", "after {command:?}");
                } else {
                    assert!(
                        code == "store.outcome_unknown" || code == "store.unavailable",
                        "{code} after {command:?}"
                    );
                }
            }
        }
    }
});
