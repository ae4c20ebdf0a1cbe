//! Deterministic simulation of the store protocol.
//!
//! Each seed builds a world: a simulated store (Redis or SQLite-like, see
//! `sim/mod.rs`), 2–5 clients each with its own `Protocol` (so each makes
//! its own schema check), its own clock skew and a script of tasks (logins
//! with wrong or right passwords, code issues and verifications, ledger
//! issues and rebinds, a `migrate()` first on SQL). A scheduler driven by
//! the seed picks which client's pending command the store runs next, and
//! injects faults: a command refused before it is sent (`Unreachable`), a
//! connection dropped before or after the store applied the command (the
//! reply lost: `Unavailable`; a dropped connection rolls back an open
//! transaction), a spurious busy answer (`Conflict`: a lost
//! compare-and-set), a client crashing between two statements (it vanishes;
//! its transaction is rolled back), clock skew between clients, and a
//! retry budget of 2 tries on some seeds.
//!
//! After every run the histories the store logged are checked against
//! core (see [`check`]): every cell write is what core decides from the
//! value it replaced (a serial history), no password check without its
//! admission stored, at most the policy's free tries before a lock, each
//! failure counted once or reported as unknown, a code succeeds at most
//! once and wrong tries are counted exactly, a lost write reply is never a
//! success, and the ledger equals core's in-memory `Ledger` over the
//! committed operations in commit order.
//!
//! `cargo test -p regcore-store --test simulation` runs seeds 0..2000.
//! `REGCORE_SIM_SEEDS=<n>` runs seeds 0..n (`REGCORE_SIM_FROM=<k>` starts
//! at k); `REGCORE_SIM_SEED=<n>` replays one seed and prints its trace.
//! A failure names its seed.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    clippy::too_many_lines,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::unwrap_used,
    reason = "a test harness: counters, indices and assertions"
)]

mod sim;

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use regcore::code::{CodePolicy, CodeRejection, CodeSecret, CodeState, Verification};
use regcore::ledger::{HistoryRow, Ledger, RebindRecord};
use regcore::lockout::{LockoutPolicy, LockoutState, Success, Tier};
use regcore::pairing::{Binding, IssuancePlan, IssuanceRequest, Mode, Viewer};
use regcore::{ActivationAuthority, ActivationKey, ActivationNumber, MasterSecret, MprId};
use regcore_store::{
    Admit, Change, Clock, Command, Failure, Jitter, LedgerFilter, OpError, Operation, Poll, Prefix,
    Protocol, Reply, RetryPolicy, Value, cell, redis,
};
use sim::{CellWrite, OpId, RedisSim, SqlSim};

const LOGIN: &str = "alice";
const SUBJECT: &str = "user-42";
const ACTOR: &str = "admin";
const REASON: &str = "terminal replaced";
/// A run that has not finished after this many steps is a livelock.
const MAX_STEPS: u64 = 200_000;

// --- a seeded generator ----------------------------------------------------------

struct Rng(Jitter);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0.next_u64() % n.max(1)
    }
    fn chance(&mut self, p: f64) -> bool {
        self.0.next_uniform() < p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
}

// --- fixtures ----------------------------------------------------------------------

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, 1, 9, 0, 0).unwrap()
}

struct Fixtures {
    master: MasterSecret,
    secret: CodeSecret,
    code_policy: CodePolicy,
    keys: Vec<ActivationKey>,
    demo_key: ActivationKey,
    terminals: Vec<MprId>,
}

impl Fixtures {
    fn new() -> Self {
        let master = MasterSecret::new(1, &[7u8; 32]).unwrap();
        let authority = ActivationAuthority::new(&master);
        let keys = (0..4u16)
            .map(|i| authority.mint(0x0101 + i, u64::from(i) + 1).unwrap())
            .collect();
        let demo_key = ActivationAuthority::new(&master.demo())
            .mint(0x0101, 99)
            .unwrap();
        Self {
            secret: CodeSecret::new(&[9u8; 32]).unwrap(),
            code_policy: CodePolicy::sign_up(),
            keys,
            demo_key,
            terminals: (1..=3)
                .map(|n| MprId::from_u64(0x0123_4567_0000 + n))
                .collect(),
            master,
        }
    }
}

fn policies() -> Vec<LockoutPolicy> {
    vec![
        LockoutPolicy::ups_site(),
        LockoutPolicy::device_entry(),
        LockoutPolicy::fixed(3, 60),
        LockoutPolicy::tiers(vec![
            Tier {
                failures: 4,
                lock_secs: 10,
            },
            Tier {
                failures: 6,
                lock_secs: 60,
            },
        ]),
    ]
}

// --- the world -----------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Redis,
    Sqlite,
}

#[derive(Debug, Clone)]
struct Config {
    backend: Backend,
    clients: usize,
    tasks: usize,
    policy: LockoutPolicy,
    wrong_only: bool,
    ledger: bool,
    migrate_first: bool,
    tiny_budget: bool,
    fault_rate: f64,
    crash_rate: f64,
    max_skew_ms: i64,
    /// Clients on the store's clock (`Clock::Server`, the bindings'
    /// default) rather than their own (`Clock::Caller`).
    server_clock: bool,
}

impl Config {
    fn draw(rng: &mut Rng) -> Self {
        let backend = if rng.chance(1.0 / 3.0) {
            Backend::Redis
        } else {
            Backend::Sqlite
        };
        Self {
            backend,
            clients: rng.range(2, 5) as usize,
            tasks: rng.range(2, 7) as usize,
            policy: rng.pick(&policies()).clone(),
            wrong_only: rng.chance(0.5),
            ledger: backend == Backend::Sqlite && rng.chance(0.6),
            migrate_first: rng.chance(0.3),
            tiny_budget: rng.chance(0.25),
            fault_rate: *rng.pick(&[0.0, 0.02, 0.08, 0.2]),
            crash_rate: *rng.pick(&[0.0, 0.0, 0.004]),
            max_skew_ms: *rng.pick(&[0, 20, 300, 5_000]),
            server_clock: rng.chance(0.4),
        }
    }

    fn retry(&self) -> RetryPolicy {
        if self.tiny_budget {
            RetryPolicy::new(2, 5_000.0, 0.5, 20.0).unwrap()
        } else {
            RetryPolicy::default()
        }
    }
}

#[derive(Debug, Clone)]
enum Task {
    Migrate,
    Login { right: bool },
    Settle { success: Success, stored: String },
    Reset,
    CodeIssue,
    CodeVerify { known: bool },
    Issue(IssuanceRequest),
    Rebind { number: ActivationNumber, to: MprId },
}

/// What an operation was asked (enough to recompute core's decision).
#[derive(Debug, Clone)]
enum Spec {
    Migrate,
    Admit {
        right: bool,
        now: DateTime<Utc>,
    },
    Settle {
        success: Success,
        now: DateTime<Utc>,
    },
    Reset,
    CodeIssue {
        now: DateTime<Utc>,
    },
    CodeVerify {
        typed: String,
        now: DateTime<Utc>,
    },
    Issue {
        request: IssuanceRequest,
        now: DateTime<Utc>,
    },
    Rebind {
        number: ActivationNumber,
        to: MprId,
        now: DateTime<Utc>,
    },
}

impl Spec {
    /// The client's clock reading the operation started with.
    const fn now(&self) -> Option<DateTime<Utc>> {
        match self {
            Self::Admit { now, .. }
            | Self::Settle { now, .. }
            | Self::CodeIssue { now }
            | Self::CodeVerify { now, .. }
            | Self::Issue { now, .. }
            | Self::Rebind { now, .. } => Some(*now),
            Self::Migrate | Self::Reset => None,
        }
    }

    /// The same operation decided at `now` (when given).
    fn at(&self, decided: Option<DateTime<Utc>>) -> Self {
        let mut spec = self.clone();
        if let Some(t) = decided {
            match &mut spec {
                Self::Admit { now, .. }
                | Self::Settle { now, .. }
                | Self::CodeIssue { now }
                | Self::CodeVerify { now, .. }
                | Self::Issue { now, .. }
                | Self::Rebind { now, .. } => *now = t,
                Self::Migrate | Self::Reset => {}
            }
        }
        spec
    }
}

/// How an operation ended.
#[derive(Debug, Clone)]
enum Res {
    Running,
    Crashed,
    Err(&'static str),
    Migrated,
    Admitted(String),
    Locked,
    Settled,
    Reset,
    CodeIssued(CodeState),
    Verified(Option<Verification>),
    Plan(IssuancePlan),
    Rebound(RebindRecord),
}

/// Which write lost its reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lost {
    /// A cell's compare-and-set (autocommit SQL or the Redis script).
    Cell,
    /// A COMMIT.
    Commit,
    /// A statement inside a transaction (rolled back by the disconnect).
    InTx,
}

#[derive(Debug)]
struct OpRec {
    id: OpId,
    spec: Spec,
    res: Res,
    migrated_at_start: bool,
    lost: Option<Lost>,
    /// The true time (the store's clock) when the operation started and
    /// when it ended or crashed (ms).
    started_ms: i64,
    ended_ms: i64,
}

enum Out {
    Migrated,
    Admit(Admit),
    Settled,
    Reset,
    CodeIssued(CodeState, String),
    Verified(Option<Verification>),
    Plan(IssuancePlan),
    Rebound(RebindRecord),
}

struct Running {
    op: usize,
    machine: Operation<Out>,
    pending: Option<Command>,
    slept_ms: f64,
    /// `pending` ran and its reply was lost; the driver sends it again
    /// when this client is next scheduled (other clients may go first).
    resending: bool,
}

struct Client {
    proto: Protocol,
    skew_ms: i64,
    tasks: VecDeque<Task>,
    running: Option<Running>,
    alive: bool,
    migrate_failures: u32,
}

enum Store {
    Redis(RedisSim),
    Sql(Box<SqlSim>),
}

impl Store {
    fn exec(&mut self, op: OpId, command: &Command) -> Reply {
        match self {
            Self::Redis(s) => s.exec(op, command),
            Self::Sql(s) => s.exec(op, command),
        }
    }
    /// The store server's clock: the true time.
    fn set_time(&mut self, now_ms: i64) {
        match self {
            Self::Redis(s) => s.now_ms = now_ms,
            Self::Sql(s) => s.now_ms = now_ms,
        }
    }
    fn drop_connection(&mut self, client: usize) {
        if let Self::Sql(s) = self {
            s.drop_connection(client);
        }
    }
    fn in_tx(&self, client: usize) -> bool {
        matches!(self, Self::Sql(s) if s.in_tx(client))
    }
    fn log(&self) -> &[CellWrite] {
        match self {
            Self::Redis(s) => &s.log,
            Self::Sql(s) => &s.log,
        }
    }
    fn violations(&self) -> &[String] {
        match self {
            Self::Redis(s) => &s.violations,
            Self::Sql(s) => &s.violations,
        }
    }
    fn migrated(&self) -> bool {
        match self {
            Self::Redis(_) => true,
            Self::Sql(s) => s.db.version.is_some(),
        }
    }
    /// The state a cell holds (Redis values without their write tokens).
    fn cell(&self, key: &str) -> Option<&str> {
        match self {
            Self::Redis(s) => s.map.get(key).and_then(|v| redis::stored_state(v)),
            Self::Sql(s) => s.db.cells.get(key).map(String::as_str),
        }
    }
}

/// Figures of one run (summed over seeds).
#[derive(Debug, Default, Clone)]
struct Stats {
    seeds: u64,
    steps: u64,
    ops: u64,
    commands: u64,
    faults: BTreeMap<&'static str, u64>,
    outcomes: BTreeMap<&'static str, u64>,
    password_checks: u64,
    code_successes: u64,
    commits: u64,
    cell_writes: u64,
    checks: u64,
    lockout_bound_checked: u64,
    lockout_bound_skipped: u64,
    /// Seeds whose clients ran on the store's clock, and of those, the
    /// ones the free-tries bound was checked on.
    server_clock_seeds: u64,
    server_clock_bound_checked: u64,
    /// Cell writes the store refused because the client's clock was
    /// further than the tolerance from its own.
    clock_refusals: u64,
    /// Re-sent compare-and-sets the Redis script recognised by their token.
    resends_recognised: u64,
}

impl Stats {
    fn add(&mut self, other: &Self) {
        self.seeds += other.seeds;
        self.steps += other.steps;
        self.ops += other.ops;
        self.commands += other.commands;
        for (k, v) in &other.faults {
            *self.faults.entry(k).or_default() += v;
        }
        for (k, v) in &other.outcomes {
            *self.outcomes.entry(k).or_default() += v;
        }
        self.password_checks += other.password_checks;
        self.code_successes += other.code_successes;
        self.commits += other.commits;
        self.cell_writes += other.cell_writes;
        self.checks += other.checks;
        self.lockout_bound_checked += other.lockout_bound_checked;
        self.lockout_bound_skipped += other.lockout_bound_skipped;
        self.server_clock_seeds += other.server_clock_seeds;
        self.server_clock_bound_checked += other.server_clock_bound_checked;
        self.clock_refusals += other.clock_refusals;
        self.resends_recognised += other.resends_recognised;
    }

    fn fault(&mut self, kind: &'static str) {
        *self.faults.entry(kind).or_default() += 1;
    }
}

struct World {
    cfg: Config,
    fx: Fixtures,
    rng: Rng,
    store: Store,
    prefix: Prefix,
    clients: Vec<Client>,
    ops: Vec<OpRec>,
    now_ms: i64,
    codes: Vec<String>,
    stats: Stats,
    violations: Vec<String>,
    trace: Option<String>,
}

fn lockout_key(prefix: &Prefix) -> String {
    regcore_store::redis::key(prefix, regcore_store::Table::Lockout, &[LOGIN])
}

fn code_key(prefix: &Prefix, policy: &CodePolicy) -> String {
    regcore_store::redis::key(
        prefix,
        regcore_store::Table::Code,
        &[policy.purpose.name(), SUBJECT],
    )
}

impl World {
    fn new(seed: u64, trace: bool) -> Self {
        let mut rng = Rng(Jitter::new(seed));
        let cfg = Config::draw(&mut rng);
        let prefix = Prefix::new("sim").unwrap();
        let fx = Fixtures::new();
        let store = match cfg.backend {
            Backend::Redis => Store::Redis(RedisSim {
                server_clock: cfg.server_clock,
                ..RedisSim::default()
            }),
            Backend::Sqlite => {
                let mut sql = SqlSim::new(&prefix);
                sql.server_clock = cfg.server_clock;
                Store::Sql(Box::new(sql))
            }
        };
        let mut world = Self {
            cfg,
            fx,
            rng,
            store,
            prefix,
            clients: Vec::new(),
            ops: Vec::new(),
            now_ms: t0().timestamp_millis(),
            codes: Vec::new(),
            stats: Stats {
                seeds: 1,
                ..Stats::default()
            },
            violations: Vec::new(),
            trace: trace.then(String::new),
        };
        if world.cfg.backend == Backend::Sqlite && !world.cfg.migrate_first {
            // Migrated beforehand, by the protocol's own migration.
            let setup = world.protocol();
            let migrated = world.drive_clean(setup.migrate(0).unwrap());
            assert!(migrated.is_ok(), "{migrated:?}");
            if let Store::Sql(sql) = &mut world.store {
                sql.commits.clear();
            }
        }
        for _ in 0..world.cfg.clients {
            let client = world.new_client();
            world.clients.push(client);
        }
        world.log(format!("config {:?}", world.cfg));
        world
    }

    fn protocol(&self) -> Protocol {
        match self.cfg.backend {
            Backend::Redis => Protocol::redis(self.prefix.clone(), self.cfg.retry()),
            Backend::Sqlite => Protocol::sql(
                regcore_store::Dialect::Sqlite,
                regcore_store::Placeholder::Question,
                self.prefix.clone(),
                self.cfg.retry(),
            ),
        }
    }

    fn new_client(&mut self) -> Client {
        let mut tasks = VecDeque::new();
        if self.cfg.backend == Backend::Sqlite && self.cfg.migrate_first {
            tasks.push_back(Task::Migrate);
        }
        for _ in 0..self.cfg.tasks {
            let task = self.draw_task();
            tasks.push_back(task);
        }
        let skew = self.cfg.max_skew_ms;
        Client {
            proto: self.protocol(),
            skew_ms: self.rng.range(-skew, skew),
            tasks,
            running: None,
            alive: true,
            migrate_failures: 0,
        }
    }

    fn draw_task(&mut self) -> Task {
        let kinds = if self.cfg.ledger { 3 } else { 2 };
        match self.rng.below(kinds) {
            0 if !self.cfg.wrong_only && self.rng.chance(0.05) => Task::Reset,
            0 => Task::Login {
                right: !self.cfg.wrong_only && self.rng.chance(0.3),
            },
            1 => {
                if self.rng.chance(0.35) {
                    Task::CodeIssue
                } else {
                    Task::CodeVerify {
                        known: self.rng.chance(0.5),
                    }
                }
            }
            _ => {
                if self.rng.chance(0.2) {
                    Task::Rebind {
                        number: self.rng.pick(&self.fx.keys).number,
                        to: *self.rng.pick(&self.fx.terminals),
                    }
                } else {
                    Task::Issue(self.draw_request())
                }
            }
        }
    }

    fn draw_request(&mut self) -> IssuanceRequest {
        let mpr = *self.rng.pick(&self.fx.terminals);
        let demo = self.rng.chance(0.1);
        let n = self.rng.range(1, 3) as usize;
        let mut keys: Vec<ActivationKey> = Vec::new();
        for _ in 0..n {
            let key = if self.rng.chance(0.1) {
                self.fx.demo_key
            } else {
                *self.rng.pick(&self.fx.keys)
            };
            if !keys.iter().any(|k| k.number == key.number) {
                keys.push(key);
            }
        }
        let mode = if demo { Mode::Demo } else { Mode::Real };
        let viewer = if self.rng.chance(0.5) {
            Viewer::Admin
        } else {
            Viewer::Customer
        };
        IssuanceRequest::new(mpr, keys, mode, viewer).unwrap()
    }

    fn log(&mut self, line: String) {
        if let Some(trace) = &mut self.trace {
            let _ = writeln!(trace, "{line}");
        }
    }

    fn violation(&mut self, what: String) {
        self.log(format!("VIOLATION {what}"));
        self.violations.push(what);
    }

    fn client_now(&self, c: usize) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.now_ms + self.clients[c].skew_ms).unwrap()
    }

    /// Start the client's next task.
    fn start(&mut self, c: usize) {
        let Some(task) = self.clients[c].tasks.pop_front() else {
            return;
        };
        let now = self.client_now(c);
        // The client's reading; on the store's clock, a starting point the
        // store corrects when it is further than the tolerance away.
        let clock = if self.cfg.server_clock {
            Clock::Server(now)
        } else {
            Clock::Caller(now)
        };
        let seed = self.rng.0.next_u64();
        let policy = self.cfg.policy.clone();
        let fx = &self.fx;
        let proto = &self.clients[c].proto;
        let (spec, machine) = match task {
            Task::Migrate => (
                Spec::Migrate,
                proto.migrate(seed).map(|o| o.map(|_| Out::Migrated)),
            ),
            Task::Login { right } => (
                Spec::Admit { right, now },
                proto
                    .lockout_admit(LOGIN, &policy, clock, seed)
                    .map(|o| o.map(Out::Admit)),
            ),
            Task::Settle {
                success,
                ref stored,
            } => (
                Spec::Settle { success, now },
                proto
                    .lockout_settle(LOGIN, &policy, success, stored, clock, seed)
                    .map(|o| o.map(|_| Out::Settled)),
            ),
            Task::Reset => (
                Spec::Reset,
                proto
                    .lockout_reset(LOGIN, seed)
                    .map(|o| o.map(|_| Out::Reset)),
            ),
            Task::CodeIssue => (
                Spec::CodeIssue { now },
                proto
                    .code_issue(&fx.code_policy, &fx.secret, SUBJECT, clock, seed)
                    .map(|o| o.map(|(s, code)| Out::CodeIssued(s, code.as_str().to_owned()))),
            ),
            Task::CodeVerify { known } => {
                let typed = if known && !self.codes.is_empty() {
                    self.codes[(seed % self.codes.len() as u64) as usize].clone()
                } else {
                    format!("{:06}", seed % 1_000_000)
                };
                (
                    Spec::CodeVerify {
                        typed: typed.clone(),
                        now,
                    },
                    proto
                        .code_verify(&fx.code_policy, &fx.secret, SUBJECT, &typed, clock, seed)
                        .map(|o| o.map(Out::Verified)),
                )
            }
            Task::Issue(ref request) => (
                Spec::Issue {
                    request: request.clone(),
                    now,
                },
                proto
                    .ledger_issue(&fx.master, request, now, seed)
                    .map(|o| o.map(Out::Plan)),
            ),
            Task::Rebind { number, to } => (
                Spec::Rebind { number, to, now },
                proto
                    .ledger_rebind(&fx.master, number, to, ACTOR, REASON, now, seed)
                    .map(|o| o.map(Out::Rebound)),
            ),
        };
        let machine = match machine {
            Ok(m) => m,
            Err(err) => {
                self.violation(format!("{task:?} refused before any I/O: {err:?}"));
                return;
            }
        };
        let op = self.ops.len();
        self.log(format!("client {c} starts op {op}: {spec:?}"));
        self.ops.push(OpRec {
            id: (c, op as u64),
            spec,
            res: Res::Running,
            migrated_at_start: self.store.migrated(),
            lost: None,
            started_ms: self.now_ms,
            ended_ms: self.now_ms,
        });
        self.stats.ops += 1;
        self.clients[c].running = Some(Running {
            op,
            machine,
            pending: None,
            slept_ms: 0.0,
            resending: false,
        });
        self.advance(c, None);
    }

    /// Resume the client's operation with `reply`; answer its sleeps.
    fn advance(&mut self, c: usize, mut reply: Option<Reply>) {
        let max_delay = self.cfg.retry().max_delay_ms();
        loop {
            let running = self.clients[c].running.as_mut().unwrap();
            match running.machine.resume(reply.take()) {
                Poll::Send(Command::Sleep { ms }) => {
                    running.slept_ms += ms;
                    reply = Some(Reply::Slept {
                        elapsed_ms: running.slept_ms,
                    });
                    if !(ms.is_finite() && (0.0..=max_delay).contains(&ms)) {
                        self.violation(format!("sleep of {ms} ms"));
                    }
                }
                Poll::Send(command) => {
                    running.pending = Some(command);
                    return;
                }
                Poll::Done(result) => {
                    let op = running.op;
                    self.clients[c].running = None;
                    self.finish(c, op, result);
                    return;
                }
            }
        }
    }

    fn finish(&mut self, c: usize, op: usize, result: Result<Out, OpError>) {
        if self.store.in_tx(c) {
            self.violation(format!("op {op} finished with its transaction open"));
            self.store.drop_connection(c);
        }
        let res = match result {
            Err(err) => {
                let code = err.code();
                *self.stats.outcomes.entry(code).or_default() += 1;
                if matches!(self.ops[op].spec, Spec::Migrate) {
                    let client = &mut self.clients[c];
                    client.migrate_failures += 1;
                    if client.migrate_failures < 4 {
                        client.tasks.push_front(Task::Migrate);
                    }
                }
                Res::Err(code)
            }
            Ok(out) => {
                *self.stats.outcomes.entry("ok").or_default() += 1;
                match out {
                    Out::Migrated => Res::Migrated,
                    Out::Admit(Admit::Admitted { admission, stored }) => {
                        // The password is checked now, and only now.
                        self.stats.password_checks += 1;
                        if matches!(self.ops[op].spec, Spec::Admit { right: true, .. }) {
                            self.clients[c].tasks.push_front(Task::Settle {
                                success: admission.success(),
                                stored: stored.clone(),
                            });
                        }
                        Res::Admitted(stored)
                    }
                    Out::Admit(Admit::Locked(_)) => Res::Locked,
                    Out::Settled => Res::Settled,
                    Out::Reset => Res::Reset,
                    Out::CodeIssued(state, code) => {
                        self.codes.push(code);
                        Res::CodeIssued(state)
                    }
                    Out::Verified(v) => {
                        if v.as_ref().is_some_and(|v| v.result.is_ok()) {
                            self.stats.code_successes += 1;
                        }
                        Res::Verified(v)
                    }
                    Out::Plan(plan) => Res::Plan(plan),
                    Out::Rebound(record) => Res::Rebound(record),
                }
            }
        };
        self.log(format!("client {c} op {op} ends {res:?}"));
        self.ops[op].res = res;
        self.ops[op].ended_ms = self.now_ms;
    }
}

// --- scheduling and faults -------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// No connection: never sent (a dropped connection ends a transaction).
    Unreachable,
    /// The connection dropped before the store ran the command.
    DroppedBefore,
    /// The store ran the command, then the connection dropped: the reply
    /// is lost.
    LostReply,
    /// The store ran the command, the reply was lost, and the driver sent
    /// the command again on a new connection and returned that reply
    /// (redis-py's default client); Redis only.
    Resent,
    /// SQLite busy / a serialization failure: nothing applied.
    Busy,
}

impl Fault {
    const fn name(self) -> &'static str {
        match self {
            Self::Unreachable => "unreachable",
            Self::DroppedBefore => "dropped_before_apply",
            Self::LostReply => "lost_reply_after_apply",
            Self::Resent => "resent_after_lost_reply",
            Self::Busy => "busy",
        }
    }
}

impl World {
    fn run(&mut self) {
        while self.step() {
            if self.stats.steps > MAX_STEPS {
                self.violation(format!("no end after {MAX_STEPS} steps"));
                return;
            }
        }
    }

    /// One scheduling step; false when every client is done.
    fn step(&mut self) -> bool {
        for c in 0..self.clients.len() {
            while self.clients[c].alive
                && self.clients[c].running.is_none()
                && !self.clients[c].tasks.is_empty()
            {
                self.start(c);
            }
        }
        let ready: Vec<usize> = (0..self.clients.len())
            .filter(|&c| {
                self.clients[c].alive
                    && self.clients[c]
                        .running
                        .as_ref()
                        .is_some_and(|r| r.pending.is_some())
            })
            .collect();
        if ready.is_empty() {
            return false;
        }
        let c = *self.rng.pick(&ready);
        self.now_ms += self.rng.below(3) as i64;
        self.store.set_time(self.now_ms);
        self.stats.steps += 1;
        if self.rng.chance(self.cfg.crash_rate) {
            self.crash(c);
            return true;
        }
        let running = self.clients[c].running.as_mut().unwrap();
        let command = running.pending.take().unwrap();
        let op = running.op;
        let id = self.ops[op].id;
        self.stats.commands += 1;
        if std::mem::take(&mut running.resending) {
            // The driver's re-send of a command whose reply was lost.
            let reply = self.store.exec(id, &command);
            self.log(format!(
                "t={} client {c} op {op}: {command:?} [re-sent] -> {reply:?}",
                self.now_ms
            ));
            self.advance(c, Some(reply));
            return true;
        }
        // A migration is ~15 statements in one transaction: faults at the
        // full rate would leave most SQL seeds without a schema.
        let rate = if matches!(self.ops[op].spec, Spec::Migrate) {
            self.cfg.fault_rate / 5.0
        } else {
            self.cfg.fault_rate
        };
        let fault = if self.rng.chance(rate) {
            let kinds: &[Fault] = match self.cfg.backend {
                Backend::Redis => &[
                    Fault::Unreachable,
                    Fault::DroppedBefore,
                    Fault::LostReply,
                    Fault::Resent,
                ],
                Backend::Sqlite => &[
                    Fault::Unreachable,
                    Fault::DroppedBefore,
                    Fault::LostReply,
                    Fault::Busy,
                ],
            };
            let fault = *self.rng.pick(kinds);
            // ROLLBACK is not refused as busy (SQLite and PostgreSQL never
            // do); a failed one would be the executor's to close.
            let rollback = matches!(&command, Command::Sql { sql, .. } if sql == "ROLLBACK");
            Some(fault).filter(|f| !(rollback && *f == Fault::Busy))
        } else {
            None
        };
        if matches!(fault, Some(Fault::DroppedBefore | Fault::LostReply)) && command.writes() {
            let lost = match &command {
                Command::Sql { sql, .. } if sql == "ROLLBACK" => None,
                Command::Sql { sql, .. } if sql == "COMMIT" => Some(Lost::Commit),
                Command::Sql { .. } if self.store.in_tx(c) => Some(Lost::InTx),
                _ => Some(Lost::Cell),
            };
            if self.ops[op].lost.is_none() {
                self.ops[op].lost = lost;
            }
        }
        let reply = match fault {
            None => self.store.exec(id, &command),
            Some(Fault::Unreachable) => {
                self.store.drop_connection(c);
                Reply::Failed(Failure::Unreachable)
            }
            Some(Fault::DroppedBefore) => {
                self.store.drop_connection(c);
                Reply::Failed(Failure::Unavailable)
            }
            Some(Fault::LostReply) => {
                let _ = self.store.exec(id, &command);
                self.store.drop_connection(c);
                Reply::Failed(Failure::Unavailable)
            }
            Some(Fault::Resent) => {
                let _ = self.store.exec(id, &command);
                self.store.drop_connection(c);
                self.stats.fault(Fault::Resent.name());
                let running = self.clients[c].running.as_mut().unwrap();
                running.pending = Some(command);
                running.resending = true;
                return true;
            }
            Some(Fault::Busy) => Reply::Failed(Failure::Conflict),
        };
        if let Some(fault) = fault {
            self.stats.fault(fault.name());
        }
        if self.trace.is_some() {
            let what = match &command {
                Command::Sql { sql, params, .. } => format!("{sql} {params:?}"),
                other => format!("{other:?}"),
            };
            self.log(format!(
                "t={} client {c} op {op}: {what}{} -> {reply:?}",
                self.now_ms,
                fault.map_or(String::new(), |f| format!(" [{}]", f.name())),
            ));
        }
        self.advance(c, Some(reply));
        true
    }

    /// The client vanishes between two statements: the server rolls back
    /// its transaction; the operation never ends.
    fn crash(&mut self, c: usize) {
        if let Some(running) = self.clients[c].running.take() {
            self.ops[running.op].res = Res::Crashed;
            self.ops[running.op].ended_ms = self.now_ms;
            self.log(format!("client {c} crashes in op {}", running.op));
        }
        self.clients[c].alive = false;
        self.store.drop_connection(c);
        self.stats.fault("crash");
    }
}

// --- the invariants --------------------------------------------------------------------

fn binding_values(b: &Binding) -> Vec<Value> {
    vec![
        Value::Text(b.activation_number.compact()),
        Value::Text(b.mpr_id.compact()),
        Value::Int(i64::from(b.product)),
        Value::Text(b.registration_key.compact()),
        Value::Int(b.first_issued_at.timestamp_millis()),
    ]
}

fn history_values(r: &HistoryRow) -> Vec<Value> {
    vec![
        Value::Int(r.at.timestamp_millis()),
        Value::Text(r.event.name().to_owned()),
        Value::Text(r.mpr_id.compact()),
        Value::Text(r.activation_number.compact()),
        Value::Int(i64::from(r.product)),
        Value::Text(r.registration_key.compact()),
    ]
}

fn rebind_values(r: &RebindRecord) -> Vec<Value> {
    vec![
        Value::Int(r.at.timestamp_millis()),
        Value::Text(r.activation_number.compact()),
        Value::Text(r.from.compact()),
        Value::Text(r.to.compact()),
        Value::Text(r.actor.clone()),
        Value::Text(r.reason.clone()),
    ]
}

const fn is_wrong_try(v: &Verification) -> bool {
    matches!(
        v.result,
        Err(CodeRejection::Wrong { .. } | CodeRejection::Superseded { .. })
    )
}

impl World {
    fn ensure(&mut self, ok: bool, what: impl FnOnce() -> String) {
        self.stats.checks += 1;
        if !ok {
            self.violation(what());
        }
    }

    /// What core decides for `spec` on a cell holding `prev`.
    fn decide(&self, spec: &Spec, prev: Option<&str>) -> Result<Change, String> {
        let policy = &self.cfg.policy;
        let fx = &self.fx;
        let err = |e: &dyn std::fmt::Debug| format!("{e:?}");
        match spec {
            Spec::Admit { now, .. } => cell::lockout_admit(prev, policy, *now)
                .map(|s| s.change)
                .map_err(|e| err(&e)),
            Spec::Settle { success, now } => cell::lockout_settle(prev, policy, *success, *now)
                .map(|s| s.change)
                .map_err(|e| err(&e)),
            Spec::Reset => Ok(cell::forget(prev).change),
            Spec::CodeIssue { now } => {
                cell::code_issue(prev, &fx.code_policy, &fx.secret, SUBJECT, *now)
                    .map(|s| s.change)
                    .map_err(|e| err(&e))
            }
            Spec::CodeVerify { typed, now } => {
                cell::code_verify(prev, &fx.code_policy, &fx.secret, SUBJECT, typed, *now)
                    .map(|s| s.change)
                    .map_err(|e| err(&e))
            }
            other => Err(format!("{other:?} does not write a cell")),
        }
    }

    fn check(&mut self) {
        for v in self.store.violations().to_vec() {
            self.violation(format!("store: {v}"));
        }
        if self.cfg.server_clock {
            self.stats.server_clock_seeds += 1;
        }
        match &self.store {
            Store::Redis(s) => {
                self.stats.clock_refusals += s.clock_refusals;
                self.stats.resends_recognised += s.resends_recognised;
            }
            Store::Sql(s) => self.stats.clock_refusals += s.clock_refusals,
        }
        self.check_outcomes();
        self.check_cells();
        self.check_lockout();
        self.check_codes();
        if let Store::Sql(_) = self.store {
            self.check_ledger();
        }
    }

    /// Every operation ended with a result or an error a fault explains; a
    /// write whose reply was lost never ends in a success.
    fn check_outcomes(&mut self) {
        for i in 0..self.ops.len() {
            let (res, lost, spec, migrated) = {
                let r = &self.ops[i];
                (r.res.clone(), r.lost, r.spec.clone(), r.migrated_at_start)
            };
            match res {
                Res::Running => self.violation(format!("op {i} never ended")),
                Res::Crashed => {}
                Res::Err(code) => {
                    let ok = match code {
                        "store.outcome_unknown" => matches!(lost, Some(Lost::Cell | Lost::Commit)),
                        "store.unavailable" | "store.contended" => {
                            !matches!(lost, Some(Lost::Cell | Lost::Commit))
                        }
                        "store.schema_mismatch" => !migrated,
                        "ledger.not_bound" | "ledger.rebind_same_terminal" => {
                            matches!(spec, Spec::Rebind { .. })
                        }
                        _ => false,
                    };
                    self.ensure(ok, || {
                        format!("op {i} ({spec:?}) ended {code} after a lost write {lost:?}")
                    });
                }
                ok => self.ensure(lost.is_none(), || {
                    format!(
                        "op {i} ({spec:?}) lost a write reply ({lost:?}) and still ended {ok:?}"
                    )
                }),
            }
        }
    }

    /// Every cell write is core's decision on the value it replaced (a
    /// serial history of compare-and-sets); each operation wrote at most
    /// once, and exactly once when it reports a change.
    fn check_cells(&mut self) {
        let log = self.store.log().to_vec();
        self.stats.cell_writes += log.len() as u64;
        let mut writes: Vec<(u32, Option<String>)> = vec![(0, None); self.ops.len()];
        for w in &log {
            let i = w.op.1 as usize;
            let spec = self.ops[i].spec.clone();
            let cell = match spec {
                Spec::Admit { .. } | Spec::Settle { .. } | Spec::Reset => lockout_key(&self.prefix),
                _ => code_key(&self.prefix, &self.fx.code_policy),
            };
            self.ensure(w.key == cell, || {
                format!("op {i} ({spec:?}) wrote {}", w.key)
            });
            // The decision's `now`: the client's own clock, or on the
            // store's clock whatever the write says it was decided on, which
            // the store accepted only within the tolerance of its clock.
            let decided = match (w.decided_ms, spec.now()) {
                (Some(ms), Some(_)) if self.cfg.server_clock => {
                    self.ensure(
                        (ms - w.at_ms).abs() <= regcore_store::redis::CLOCK_TOLERANCE_MS,
                        || format!("op {i} wrote at {} a decision made at {ms}", w.at_ms),
                    );
                    DateTime::from_timestamp_millis(ms)
                }
                (Some(ms), Some(now)) => {
                    self.ensure(ms == now.timestamp_millis(), || {
                        format!("op {i} on the caller's clock {now} decided at {ms}")
                    });
                    Some(now)
                }
                (_, now) => now,
            };
            let expected = self.decide(&spec.at(decided), w.prev.as_deref());
            let ok = match &expected {
                Ok(Change::Put { text, .. }) => w.new.as_deref() == Some(text.as_str()),
                Ok(Change::Delete) => w.new.is_none(),
                _ => false,
            };
            self.ensure(ok, || {
                format!(
                    "op {i} ({spec:?}) wrote {:?} over {:?}; core decides {expected:?}",
                    w.new, w.prev
                )
            });
            writes[i].0 += 1;
            writes[i].1.clone_from(&w.new);
        }
        for (i, (count, new)) in writes.into_iter().enumerate() {
            let res = self.ops[i].res.clone();
            self.ensure(count <= 1, || format!("op {i} wrote {count} times"));
            let must_write: Option<String> = match &res {
                // On Redis, the value as stored: the state and the token.
                Res::Admitted(stored) => redis::stored_state(stored).map(str::to_owned),
                Res::CodeIssued(state) => Some(state.encode()),
                Res::Verified(Some(v)) if v.result.is_ok() || is_wrong_try(v) => {
                    Some(v.state.encode())
                }
                _ => None,
            };
            if let Some(text) = must_write {
                self.ensure(count == 1 && new.as_deref() == Some(text.as_str()), || {
                    format!("op {i} ended {res:?} but its write is {count} × {new:?}")
                });
            }
            if let Res::Err(code) = res
                && code != "store.outcome_unknown"
            {
                self.ensure(count == 0, || format!("op {i} ended {code} but wrote"));
            }
        }
    }

    /// With only wrong passwords and every clock inside the first lock:
    /// at most `threshold` password checks, and the stored failures are
    /// the admissions that ended Ok plus at most the unknown ones.
    fn check_lockout(&mut self) {
        let admits: Vec<(DateTime<Utc>, Res)> = self
            .ops
            .iter()
            .filter_map(|r| match r.spec {
                Spec::Admit { now, .. } => Some((now, r.res.clone())),
                _ => None,
            })
            .collect();
        if admits.is_empty() || !self.cfg.wrong_only {
            return;
        }
        let (mut lo, mut hi) = (
            admits.iter().map(|a| a.0).min().unwrap(),
            admits.iter().map(|a| a.0).max().unwrap(),
        );
        if self.cfg.server_clock {
            // On the store's clock every decision is made within the
            // tolerance of the true time between the operation's start and
            // end, whatever the clients' own clocks say.
            let tolerance =
                chrono::Duration::milliseconds(regcore_store::redis::CLOCK_TOLERANCE_MS);
            let true_times = self
                .ops
                .iter()
                .filter(|r| matches!(r.spec, Spec::Admit { .. }))
                .flat_map(|r| [r.started_ms, r.ended_ms]);
            let (first, last) =
                true_times.fold((i64::MAX, i64::MIN), |(a, b), t| (a.min(t), b.max(t)));
            lo = DateTime::from_timestamp_millis(first).unwrap() - tolerance;
            hi = DateTime::from_timestamp_millis(last).unwrap() + tolerance;
        }
        let threshold = self.cfg.policy.threshold;
        let lock = self.cfg.policy.lock_duration(threshold);
        if (hi - lo).to_std().unwrap_or_default() >= lock {
            self.stats.lockout_bound_skipped += 1;
            return;
        }
        self.stats.lockout_bound_checked += 1;
        if self.cfg.server_clock {
            self.stats.server_clock_bound_checked += 1;
        }
        let checks = admits
            .iter()
            .filter(|a| matches!(a.1, Res::Admitted(_)))
            .count() as u32;
        let unknown = admits
            .iter()
            .filter(|a| matches!(a.1, Res::Err("store.outcome_unknown") | Res::Crashed))
            .count() as u32;
        self.ensure(checks <= threshold, || {
            format!(
                "{checks} password checks with only wrong passwords; the policy allows {threshold}"
            )
        });
        let key = lockout_key(&self.prefix);
        let stored = self
            .store
            .cell(&key)
            .map(|t| LockoutState::decode(t).map(|s| s.failures));
        let failures = match stored {
            None => Ok(0),
            Some(r) => r.map_err(|e| format!("{e:?}")),
        };
        self.ensure(
            failures
                .as_ref()
                .is_ok_and(|f| checks <= *f && *f <= checks + unknown),
            || {
                format!(
                    "stored failures {failures:?}; {checks} admissions ended Ok, {unknown} unknown"
                )
            },
        );
    }

    /// A code succeeds at most once; wrong tries are counted exactly.
    fn check_codes(&mut self) {
        let mut successes: BTreeMap<u64, u32> = BTreeMap::new();
        let mut unknown = 0u32;
        for r in &self.ops {
            match (&r.spec, &r.res) {
                (_, Res::Verified(Some(v))) if v.result.is_ok() => {
                    *successes.entry(v.state.counter()).or_default() += 1;
                }
                (Spec::CodeVerify { .. }, Res::Err("store.outcome_unknown") | Res::Crashed) => {
                    unknown += 1;
                }
                _ => {}
            }
        }
        for (counter, n) in successes.clone() {
            self.ensure(n <= 1, || format!("code {counter:x} succeeded {n} times"));
        }
        let key = code_key(&self.prefix, &self.fx.code_policy);
        let Some(text) = self.store.cell(&key).map(str::to_owned) else {
            return;
        };
        let state = match CodeState::decode(&text) {
            Ok(s) => s,
            Err(e) => return self.violation(format!("stored code state {text:?}: {e:?}")),
        };
        let wrong = self
            .ops
            .iter()
            .filter(|r| {
                matches!(&r.res, Res::Verified(Some(v))
                    if v.state.counter() == state.counter() && is_wrong_try(v))
            })
            .count() as u32;
        self.ensure(
            wrong <= state.attempts && state.attempts <= wrong + unknown,
            || format!("stored {state:?}; {wrong} wrong tries reported, {unknown} unknown"),
        );
        if successes.contains_key(&state.counter()) {
            self.ensure(state.used, || format!("a success on {state:?} not stored"));
        }
    }

    /// The ledger equals core's `Ledger` over the committed operations in
    /// commit order; each committed operation's result is core's.
    fn check_ledger(&mut self) {
        let Store::Sql(sql) = &self.store else { return };
        let commits = sql.commits.clone();
        self.stats.commits += commits.len() as u64;
        let mut model = Ledger::new();
        let mut committed = vec![0u32; self.ops.len()];
        for (c, i) in commits {
            let i = i as usize;
            committed[i] += 1;
            let (spec, res) = (self.ops[i].spec.clone(), self.ops[i].res.clone());
            self.ensure(self.ops[i].id.0 == c, || format!("op {i} committed by {c}"));
            match &spec {
                Spec::Migrate => {}
                Spec::Issue { request, now } => {
                    let planned = model.issue(&self.fx.master, request, *now);
                    self.ensure(
                        match (&res, &planned) {
                            (Res::Plan(got), Ok(want)) => got == want,
                            (_, planned) => planned.is_ok(),
                        },
                        || format!("op {i} {request:?}: store {res:?}, core {planned:?}"),
                    );
                }
                Spec::Rebind { number, to, now } => {
                    let rebound = model.rebind(&self.fx.master, *number, *to, ACTOR, REASON, *now);
                    self.ensure(
                        match (&res, &rebound) {
                            (Res::Rebound(got), Ok(want)) => got == want,
                            (_, rebound) => rebound.is_ok(),
                        },
                        || format!("op {i} rebind: store {res:?}, core {rebound:?}"),
                    );
                }
                other => self.violation(format!("op {i} ({other:?}) committed a transaction")),
            }
        }
        for (i, n) in committed.into_iter().enumerate() {
            let (spec, res) = (self.ops[i].spec.clone(), self.ops[i].res.clone());
            self.ensure(n <= 1, || format!("op {i} committed {n} times"));
            let demo = matches!(&spec, Spec::Issue { request, .. } if request.mode == Mode::Demo);
            match res {
                Res::Plan(_) | Res::Rebound(_) | Res::Migrated if !demo => {
                    self.ensure(n == 1, || format!("op {i} ended {res:?} without a commit"));
                }
                Res::Err(code) if code != "store.outcome_unknown" => {
                    self.ensure(n == 0, || format!("op {i} ended {code} but committed"));
                }
                _ => {}
            }
        }
        if !self.store.migrated() {
            return;
        }
        // The tables, in commit order.
        let Store::Sql(sql) = &self.store else { return };
        let db = sql.db.clone();
        let bindings: Vec<Vec<Value>> = db.bindings.values().cloned().collect();
        let mut want: Vec<Vec<Value>> = model.bindings().map(binding_values).collect();
        want.sort_by_key(|r| format!("{:?}", r[0]));
        self.ensure(bindings == want, || {
            format!("bindings {bindings:?}, core {want:?}")
        });
        let mut history = db.history.clone();
        history.sort_by_key(|r| match r[0] {
            Value::Int(n) => n,
            _ => i64::MIN,
        });
        let history: Vec<Vec<Value>> = history.into_iter().map(|r| r[1..].to_vec()).collect();
        let want: Vec<Vec<Value>> = model.history_rows().iter().map(history_values).collect();
        self.ensure(history == want, || {
            format!("history {history:?}, core {want:?}")
        });
        let rebinds: Vec<Vec<Value>> = db.rebinds.iter().map(|r| r[1..].to_vec()).collect();
        let want: Vec<Vec<Value>> = model.rebinds().iter().map(rebind_values).collect();
        self.ensure(rebinds == want, || {
            format!("rebinds {rebinds:?}, core {want:?}")
        });
        // The same through the protocol's read operations.
        let reader = self.protocol();
        let read = self.drive_clean(reader.ledger_bindings(LedgerFilter::All).unwrap());
        let mut want: Vec<Binding> = model.bindings().cloned().collect();
        want.sort_by_key(|b| b.activation_number.compact());
        self.ensure(read.as_ref().is_ok_and(|r| *r == want), || {
            format!("ledger_bindings {read:?}, core {want:?}")
        });
        let utc = FixedOffset::east_opt(0).unwrap();
        let read = self.drive_clean(reader.ledger_history(None, utc).unwrap());
        let want = model.history(None, utc);
        self.ensure(read.as_ref().is_ok_and(|r| *r == want), || {
            format!("ledger_history {read:?}, core {want:?}")
        });
        let read = self.drive_clean(reader.ledger_rebinds().unwrap());
        let want = model.rebinds().to_vec();
        self.ensure(read.as_ref().is_ok_and(|r| *r == want), || {
            format!("ledger_rebinds {read:?}, core {want:?}")
        });
    }

    /// Drive `op` against the store without faults (a reader outside the
    /// simulated clients).
    fn drive_clean<T: Send + 'static>(&mut self, mut op: Operation<T>) -> Result<T, OpError> {
        let id = (usize::MAX, u64::MAX);
        let mut reply = None;
        for _ in 0..1_000 {
            match op.resume(reply.take()) {
                Poll::Done(result) => return result,
                Poll::Send(Command::Sleep { .. }) => {
                    reply = Some(Reply::Slept { elapsed_ms: 0.0 });
                }
                Poll::Send(command) => reply = Some(self.store.exec(id, &command)),
            }
        }
        panic!("a read did not end");
    }
}

// --- running seeds ---------------------------------------------------------------------

struct Outcome {
    stats: Stats,
    result: Result<(), String>,
    trace: Option<String>,
}

fn run_seed(seed: u64, trace: bool) -> Outcome {
    let mut world = World::new(seed, trace);
    let ran = catch_unwind(AssertUnwindSafe(|| {
        world.run();
        world.check();
    }));
    let result = match ran {
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            Err(format!("panicked: {msg}"))
        }
        Ok(()) if world.violations.is_empty() => Ok(()),
        Ok(()) => Err(world.violations.join("\n  ")),
    };
    Outcome {
        stats: world.stats.clone(),
        result: result.map_err(|e| {
            format!(
                "simulation seed {seed} ({:?}):\n  {e}\nreplay: REGCORE_SIM_SEED={seed} \
                 cargo test -p regcore-store --test simulation -- --nocapture",
                world.cfg
            )
        }),
        trace: world.trace.take(),
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| {
        v.trim()
            .replace('_', "")
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v}: not a number"))
    })
}

fn report(stats: &Stats, secs: f64) {
    let faults: u64 = stats.faults.values().sum();
    println!(
        "simulation: {} seeds in {secs:.1} s ({:.0} seeds/s); {} steps, {} commands, {} operations",
        stats.seeds,
        stats.seeds as f64 / secs.max(1e-9),
        stats.steps,
        stats.commands,
        stats.ops
    );
    println!("  faults injected: {faults} {:?}", stats.faults);
    println!("  outcomes: {:?}", stats.outcomes);
    println!(
        "  password checks {}, code successes {}, cell writes {}, ledger commits {}",
        stats.password_checks, stats.code_successes, stats.cell_writes, stats.commits
    );
    println!(
        "  invariant checks {}; free-tries bound checked on {} seeds (skipped on {}: clocks spread past the first lock)",
        stats.checks, stats.lockout_bound_checked, stats.lockout_bound_skipped
    );
    println!(
        "  on the store's clock: {} seeds, free-tries bound checked on {}; {} writes refused for a client's clock; {} re-sent writes recognised by their token",
        stats.server_clock_seeds,
        stats.server_clock_bound_checked,
        stats.clock_refusals,
        stats.resends_recognised
    );
}

#[test]
fn simulated_clients_keep_the_guarantees() {
    if let Some(seed) = env_u64("REGCORE_SIM_SEED") {
        let out = run_seed(seed, true);
        println!("{}", out.trace.unwrap_or_default());
        report(&out.stats, 1.0);
        if let Err(e) = out.result {
            panic!("{e}");
        }
        return;
    }
    let n = env_u64("REGCORE_SIM_SEEDS").unwrap_or(2_000);
    let from = env_u64("REGCORE_SIM_FROM").unwrap_or(0);
    let started = Instant::now();
    let mut total = Stats::default();
    let mut failures = Vec::new();
    for seed in from..from.saturating_add(n) {
        let out = run_seed(seed, false);
        total.add(&out.stats);
        if let Err(e) = out.result {
            eprintln!("{e}");
            failures.push(seed);
            if failures.len() >= 5 {
                break;
            }
        }
    }
    report(&total, started.elapsed().as_secs_f64());
    assert!(failures.is_empty(), "failing seeds: {failures:?}");
}

#[test]
fn a_seed_replays_exactly() {
    for seed in [3, 17, 1234] {
        let a = run_seed(seed, true);
        let b = run_seed(seed, true);
        assert!(a.trace.as_deref().is_some_and(|t| t.len() > 100));
        assert_eq!(a.trace, b.trace, "seed {seed} replays differently");
    }
}

#[test]
fn the_checks_catch_a_store_that_ignores_the_compare() {
    // A store whose compare-and-set always writes (a lost update) must be
    // caught within a few seeds: the invariants have teeth.
    let caught = (0..300).any(|seed| {
        let mut world = World::new(seed, false);
        match &mut world.store {
            Store::Redis(s) => s.broken_cas = true,
            Store::Sql(s) => s.broken_cas = true,
        }
        world.run();
        world.check();
        !world.violations.is_empty()
    });
    assert!(caught, "a broken compare-and-set went unnoticed");
}

#[test]
fn the_checks_catch_a_store_that_does_not_recognise_a_resent_write() {
    // The compare-and-set before write tokens: a write the driver sends
    // again after its reply was lost finds its own value, loses, and the
    // operation decides and writes again (a failure counted twice).
    let mut resent = 0;
    let caught = (0..2000).any(|seed| {
        let mut world = World::new(seed, false);
        let Store::Redis(s) = &mut world.store else {
            return false;
        };
        s.ignore_tokens = true;
        world.run();
        world.check();
        resent += world
            .stats
            .faults
            .get("resent_after_lost_reply")
            .copied()
            .unwrap_or(0);
        !world.violations.is_empty()
    });
    assert!(
        caught,
        "a store counting a re-sent write twice went unnoticed ({resent} re-sends)"
    );
}
