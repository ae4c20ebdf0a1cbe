//! The simulated stores of `tests/simulation.rs`.
//!
//! - [`RedisSim`]: a key-value map that runs `GET` and the compare-and-set
//!   script exactly as `store/src/redis.rs`'s Lua does (TTLs are checked
//!   for shape and otherwise ignored: a run lasts simulated seconds).
//! - [`SqlSim`]: a store that recognises every statement the protocol sends
//!   (by comparing the text with `Sql::new(Sqlite, Question, prefix)`'s
//!   rendered statements) and runs it with SQLite's transaction semantics:
//!   one writer (`BEGIN IMMEDIATE` while another connection holds the write
//!   lock is busy, i.e. `Failure::Conflict`, and so is an autocommit write),
//!   readers see the last commit, a `ROLLBACK` or a dropped connection
//!   discards the transaction's writes.
//!
//! Both log every write of a state cell (which operation, what it replaced,
//! what it wrote) and the SQL store logs every commit, in order, so the
//! simulation can check the histories against core afterwards. Anything the
//! protocol sends that a real server would refuse or that breaks the
//! protocol's own rules (an unknown statement, a nested `BEGIN`, a ledger
//! write outside a transaction, a reply shape other than the one asked for)
//! is recorded as a violation.

use std::collections::{BTreeMap, HashMap};

use regcore_store::sql::BindingFilter;
use regcore_store::{
    Command, Dialect, Failure, Placeholder, Prefix, RedisValue, Reply, Sql, Table, Value, Want,
    redis, schema,
};

/// An operation: (client, serial number of the operation in the run).
pub type OpId = (usize, u64);

/// One write of a state cell, as the store applied it.
#[derive(Debug, Clone)]
pub struct CellWrite {
    /// The cell (its Redis key, also for SQL).
    pub key: String,
    /// Who wrote it.
    pub op: OpId,
    /// What it held before.
    pub prev: Option<String>,
    /// What it holds after (`None`: deleted).
    pub new: Option<String>,
    /// The `now` the write says it was decided on (ms; the clock-guard
    /// argument, or `None` when the write carried no guard).
    pub decided_ms: Option<i64>,
    /// The store's clock when it applied the write (ms).
    pub at_ms: i64,
}

/// Redis as the protocol uses it: `GET` and the compare-and-set script.
#[derive(Debug, Default)]
pub struct RedisSim {
    /// Key → value.
    pub map: BTreeMap<String, String>,
    /// Every write, in order.
    pub log: Vec<CellWrite>,
    /// What the protocol did that Redis or the protocol's rules refuse.
    pub violations: Vec<String>,
    /// A deliberately broken store (for the harness's own test): the
    /// compare-and-set writes whatever the cell holds.
    pub broken_cas: bool,
    /// A store without write tokens (for the harness's own test): a re-sent
    /// write is not recognised.
    pub ignore_tokens: bool,
    /// The store server's clock (ms), set by the harness before each
    /// command: `TIME` in the script.
    pub now_ms: i64,
    /// Whether the clients run on the store's clock (`Clock::Server`), so
    /// their writes carry a clock guard.
    pub server_clock: bool,
    /// Compare-and-sets refused because `now` was further than the
    /// tolerance from the store's clock.
    pub clock_refusals: u64,
    /// Compare-and-sets answered "written" because the value already
    /// carried their token (re-sent after a lost reply).
    pub resends_recognised: u64,
}

impl RedisSim {
    /// Run `command` for `op`.
    pub fn exec(&mut self, op: OpId, command: &Command) -> Reply {
        match command {
            Command::RedisGet { key } => Reply::Redis(
                self.map
                    .get(key)
                    .map_or(RedisValue::Nil, |v| RedisValue::Text(v.clone())),
            ),
            Command::RedisCas { key, args } => {
                let [expected, new, ttl, now, tolerance] = args;
                if !tolerance.is_empty() && !self.server_clock {
                    // Clients on their own explicit clocks (Clock::Caller):
                    // a guard here would be a bug.
                    self.violations.push(format!(
                        "clock guard {tolerance:?} on {key} with a caller's clock"
                    ));
                }
                let cur = self.map.get(key).cloned().unwrap_or_default();
                let sep = redis::TOKEN_SEPARATOR;
                let own = new.split(sep).nth(1).filter(|t| !t.is_empty());
                if let Some(token) = own.filter(|_| !self.ignore_tokens)
                    && cur.split(sep).skip(1).any(|t| t == token)
                {
                    // This write, sent again after its reply was lost: the
                    // script answers "written" and writes nothing.
                    self.resends_recognised += 1;
                    return Reply::Redis(RedisValue::Array(vec![RedisValue::Int(1)]));
                }
                let decided_ms: Option<i64> = now.parse().ok();
                if !tolerance.is_empty() {
                    let (Some(now), Ok(tolerance)) = (decided_ms, tolerance.parse::<i64>()) else {
                        self.violations
                            .push(format!("clock guard {now:?} ± {tolerance:?} on {key}"));
                        return Reply::Failed(Failure::Rejected);
                    };
                    if (self.now_ms - now).abs() > tolerance {
                        self.clock_refusals += 1;
                        return Reply::Redis(RedisValue::Array(vec![
                            RedisValue::Int(2),
                            RedisValue::Int(self.now_ms),
                        ]));
                    }
                }
                if &cur != expected && !self.broken_cas {
                    return Reply::Redis(RedisValue::Array(vec![
                        RedisValue::Int(0),
                        RedisValue::Text(cur),
                    ]));
                }
                if new.is_empty() {
                    self.violations.push(format!(
                        "a compare-and-set of {key} without a value or token"
                    ));
                }
                match ttl.parse::<u64>() {
                    Ok(ms) if ms >= redis::MIN_TTL_MS => {}
                    _ => self
                        .violations
                        .push(format!("SET {key} with TTL {ttl:?} (below the minimum)")),
                }
                // The log holds states (the checks compare them with core's
                // decisions); the map holds values with their tokens.
                let prev = redis::stored_state(&cur).map(str::to_owned);
                let state = redis::stored_state(new).map(str::to_owned);
                self.map.insert(key.clone(), new.clone());
                self.log.push(CellWrite {
                    key: key.clone(),
                    op,
                    prev,
                    new: state,
                    decided_ms,
                    at_ms: self.now_ms,
                });
                Reply::Redis(RedisValue::Array(vec![RedisValue::Int(1)]))
            }
            other => {
                self.violations
                    .push(format!("{other:?} sent to a Redis store"));
                Reply::Failed(Failure::Rejected)
            }
        }
    }
}

/// A statement the SQL store recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stmt {
    Begin,
    BeginImmediate,
    Commit,
    Rollback,
    CellSelect(Table),
    CellInsert(Table),
    CellUpdate(Table),
    CellDelete(Table),
    MetaExists,
    SchemaVersion,
    TransactionCheck,
    InsertSchemaVersion,
    Migration(usize),
    BindingsOf(usize),
    InsertBindings(usize),
    ReserveSeq,
    CurrentSeq,
    InsertHistory(usize),
    BindingForUpdate,
    RebindBinding,
    InsertRebind,
    AllBindings,
    History,
    Rebinds,
}

impl Stmt {
    const fn want(self) -> Want {
        match self {
            Self::CellSelect(_)
            | Self::MetaExists
            | Self::SchemaVersion
            | Self::TransactionCheck
            | Self::CurrentSeq
            | Self::BindingForUpdate => Want::Row,
            Self::BindingsOf(_) | Self::AllBindings | Self::History | Self::Rebinds => Want::Rows,
            _ => Want::Count,
        }
    }

    /// A statement that changes ledger or schema tables (only inside a
    /// write transaction).
    const fn ledger_write(self) -> bool {
        matches!(
            self,
            Self::InsertSchemaVersion
                | Self::Migration(_)
                | Self::InsertBindings(_)
                | Self::ReserveSeq
                | Self::InsertHistory(_)
                | Self::RebindBinding
                | Self::InsertRebind
        )
    }
}

/// The tables.
#[derive(Debug, Clone, Default)]
pub struct Db {
    /// `migrate()` created the tables.
    pub schema: bool,
    /// The schema version row.
    pub version: Option<i64>,
    /// The history sequence.
    pub history_seq: i64,
    /// State cells: key (as Redis spells it) → state.
    pub cells: BTreeMap<String, String>,
    /// Activation number → binding row.
    pub bindings: BTreeMap<String, Vec<Value>>,
    /// History rows (seq first).
    pub history: Vec<Vec<Value>>,
    /// Rebind rows (seq first).
    pub rebinds: Vec<Vec<Value>>,
}

#[derive(Debug)]
struct Tx {
    write: bool,
    db: Db,
    op: OpId,
    /// Cell writes made inside the transaction (logged at commit).
    pending: Vec<CellWrite>,
    /// A cell operation's transaction (SQLite's locked read-decide-write):
    /// its commit is not a ledger or migration commit.
    cell: bool,
}

/// SQLite as the protocol uses it.
#[derive(Debug)]
pub struct SqlSim {
    prefix: Prefix,
    statements: HashMap<String, Stmt>,
    /// The committed tables.
    pub db: Db,
    /// Open transactions by client.
    txs: HashMap<usize, Tx>,
    /// Every cell write, in order.
    pub log: Vec<CellWrite>,
    /// Every committed write transaction, in commit order.
    pub commits: Vec<OpId>,
    /// What the protocol did that SQLite or the protocol's rules refuse.
    pub violations: Vec<String>,
    /// A deliberately broken store (for the harness's own test): a
    /// conditional update or delete ignores the expected state.
    pub broken_cas: bool,
    /// The store server's clock (ms), set by the harness before each
    /// command.
    pub now_ms: i64,
    /// Whether the clients run on the store's clock, so that cell writes
    /// carry a clock guard.
    pub server_clock: bool,
    /// Cell writes refused by the clock guard.
    pub clock_refusals: u64,
}

fn text(v: Option<&Value>) -> Option<String> {
    match v {
        Some(Value::Text(t)) => Some(t.clone()),
        _ => None,
    }
}

fn int(v: Option<&Value>) -> Option<i64> {
    match v {
        Some(Value::Int(n)) => Some(*n),
        _ => None,
    }
}

impl SqlSim {
    /// An empty store (no `migrate()` yet) for tables named `<prefix>_…`.
    pub fn new(prefix: &Prefix) -> Self {
        let sql = Sql::new(Dialect::Sqlite, Placeholder::Question, prefix.clone());
        let mut statements = HashMap::new();
        let mut add = |text: String, stmt: Stmt| {
            let old = statements.insert(text.clone(), stmt);
            assert!(old.is_none(), "two statements render as {text}");
        };
        add("BEGIN".to_owned(), Stmt::Begin);
        add(sql.begin_write(), Stmt::BeginImmediate);
        add(sql.commit(), Stmt::Commit);
        add(sql.rollback(), Stmt::Rollback);
        for table in Table::ALL {
            add(sql.cell_select(table), Stmt::CellSelect(table));
            add(sql.cell_insert(table), Stmt::CellInsert(table));
            add(sql.cell_update(table), Stmt::CellUpdate(table));
            add(sql.cell_delete(table), Stmt::CellDelete(table));
        }
        add(sql.meta_exists(), Stmt::MetaExists);
        add(sql.schema_version(), Stmt::SchemaVersion);
        add(sql.transaction_check(), Stmt::TransactionCheck);
        add(sql.insert_schema_version(), Stmt::InsertSchemaVersion);
        for (i, text) in schema::statements(schema::MIGRATIONS[0].1, prefix)
            .into_iter()
            .enumerate()
        {
            add(text, Stmt::Migration(i));
        }
        for n in 1..=regcore::pairing::MAX_KEYS_PER_REQUEST {
            add(sql.bindings_of(n), Stmt::BindingsOf(n));
            add(sql.insert_bindings(n), Stmt::InsertBindings(n));
            add(sql.insert_history(n), Stmt::InsertHistory(n));
        }
        add(sql.reserve_seq(), Stmt::ReserveSeq);
        add(sql.current_seq(), Stmt::CurrentSeq);
        add(sql.binding_for_update(), Stmt::BindingForUpdate);
        add(sql.rebind_binding(), Stmt::RebindBinding);
        add(sql.insert_rebind(), Stmt::InsertRebind);
        add(sql.bindings(BindingFilter::All), Stmt::AllBindings);
        add(sql.history(false), Stmt::History);
        add(sql.rebinds(), Stmt::Rebinds);
        Self {
            prefix: prefix.clone(),
            statements,
            db: Db::default(),
            txs: HashMap::new(),
            log: Vec::new(),
            commits: Vec::new(),
            violations: Vec::new(),
            broken_cas: false,
            now_ms: 0,
            server_clock: false,
            clock_refusals: 0,
        }
    }

    /// Whether `client` holds an open transaction.
    pub fn in_tx(&self, client: usize) -> bool {
        self.txs.contains_key(&client)
    }

    /// The client's connection broke: the server rolls back its transaction.
    pub fn drop_connection(&mut self, client: usize) {
        self.txs.remove(&client);
    }

    fn lock_holder(&self) -> Option<usize> {
        self.txs.iter().find(|(_, tx)| tx.write).map(|(c, _)| *c)
    }

    /// Run `command` for `op` on client `op.0`'s connection.
    pub fn exec(&mut self, op: OpId, command: &Command) -> Reply {
        let Command::Sql { sql, params, want } = command else {
            self.violations
                .push(format!("{command:?} sent to a SQL store"));
            return Reply::Failed(Failure::Rejected);
        };
        let Some(&stmt) = self.statements.get(sql) else {
            self.violations
                .push(format!("unrecognised statement {sql}"));
            return Reply::Failed(Failure::Rejected);
        };
        if stmt.want() != *want {
            self.violations
                .push(format!("{stmt:?} sent wanting {want:?}"));
        }
        match self.run(op, stmt, params) {
            Ok(reply) => reply,
            Err(failure) => Reply::Failed(failure),
        }
    }

    fn violation(&mut self, what: String) -> Result<Reply, Failure> {
        self.violations.push(what);
        Err(Failure::Rejected)
    }

    #[allow(clippy::too_many_lines, reason = "one arm per statement")]
    fn run(&mut self, op: OpId, stmt: Stmt, params: &[Value]) -> Result<Reply, Failure> {
        let client = op.0;
        match stmt {
            Stmt::Begin | Stmt::BeginImmediate => {
                if self.in_tx(client) {
                    return self.violation(format!("{stmt:?} inside a transaction by {op:?}"));
                }
                let write = stmt == Stmt::BeginImmediate;
                if write && self.lock_holder().is_some() {
                    return Err(Failure::Conflict);
                }
                let db = self.db.clone();
                self.txs.insert(
                    client,
                    Tx {
                        write,
                        db,
                        op,
                        pending: Vec::new(),
                        cell: false,
                    },
                );
                return Ok(Reply::Count(0));
            }
            Stmt::Commit => {
                let Some(tx) = self.txs.remove(&client) else {
                    return Err(Failure::Rejected);
                };
                if tx.op != op {
                    return self.violation(format!("{op:?} commits a transaction of {:?}", tx.op));
                }
                if tx.write {
                    self.db = tx.db;
                    if !tx.cell {
                        self.commits.push(op);
                    }
                    self.log.extend(tx.pending);
                }
                return Ok(Reply::Count(0));
            }
            Stmt::Rollback => {
                return match self.txs.remove(&client) {
                    Some(_) => Ok(Reply::Count(0)),
                    // "cannot rollback - no transaction is active"
                    None => Err(Failure::Rejected),
                };
            }
            _ => {}
        }
        let in_tx = self.txs.get(&client).map(|tx| tx.write);
        if stmt.ledger_write() && in_tx != Some(true) {
            return self.violation(format!("{stmt:?} outside a write transaction by {op:?}"));
        }
        let cell_stmt = matches!(
            stmt,
            Stmt::CellSelect(_) | Stmt::CellInsert(_) | Stmt::CellUpdate(_) | Stmt::CellDelete(_)
        );
        if let Some(tx) = self.txs.get_mut(&client).filter(|_| cell_stmt) {
            tx.cell = true;
        }
        let cell_write = cell_stmt && !matches!(stmt, Stmt::CellSelect(_));
        if cell_write && in_tx == Some(false) {
            return self.violation(format!("{stmt:?} inside a read transaction by {op:?}"));
        }
        // The clock guard: the last three parameters (tolerance, now,
        // tolerance); the write changes nothing when the store's clock is
        // further than the tolerance from `now`.
        let mut decided_ms = None;
        let mut clocks_apart = false;
        if cell_write && params.len() >= 3 {
            let guard = &params[params.len() - 3..];
            decided_ms = int(guard.get(1));
            match (guard.first(), int(guard.get(1)), guard.get(2)) {
                (Some(Value::Null), Some(_), Some(Value::Null)) => {}
                (Some(Value::Int(tol)), Some(now), Some(Value::Int(tol2)))
                    if tol == tol2 && self.server_clock =>
                {
                    clocks_apart = (self.now_ms - now).abs() > *tol;
                    self.clock_refusals += u64::from(clocks_apart);
                }
                _ => {
                    return self.violation(format!(
                        "clock guard {guard:?} (clients on the store's clock: {})",
                        self.server_clock
                    ));
                }
            }
        }
        if cell_write && in_tx.is_none() && self.lock_holder().is_some() {
            // An autocommit write while another connection holds the write
            // lock: SQLITE_BUSY.
            return Err(Failure::Conflict);
        }
        let migrating = matches!(stmt, Stmt::Migration(_) | Stmt::MetaExists);
        let mut log = None;
        let mut commit_now = false;
        let prefix_meta = format!("{}_meta", self.prefix.as_str());
        let db = match self.txs.get_mut(&client) {
            Some(tx) => &mut tx.db,
            None => {
                commit_now = cell_write;
                &mut self.db
            }
        };
        if !db.schema && !migrating {
            return Err(Failure::MissingTable);
        }
        let reply = match stmt {
            Stmt::MetaExists => {
                if text(params.first()).as_deref() != Some(prefix_meta.as_str()) {
                    return Err(Failure::Rejected);
                }
                Reply::Row(Some(vec![Value::Int(i64::from(db.schema))]))
            }
            Stmt::SchemaVersion => Reply::Row(db.version.map(|v| vec![Value::Int(v)])),
            // The server's clock and the schema version.
            Stmt::TransactionCheck => Reply::Row(Some(vec![
                Value::Int(self.now_ms),
                db.version.map_or(Value::Null, Value::Int),
            ])),
            Stmt::InsertSchemaVersion => {
                if db.version.is_some() {
                    return Err(Failure::Conflict); // primary key
                }
                db.version = int(params.first());
                Reply::Count(1)
            }
            Stmt::Migration(i) => {
                // The first statement creates the meta table (which the
                // next seeds with history_seq = 0); the rest are no-ops here.
                if i == 0 {
                    if db.schema {
                        return Err(Failure::Rejected); // table exists
                    }
                    db.schema = true;
                    db.history_seq = 0;
                }
                Reply::Count(0)
            }
            Stmt::CellSelect(table) => {
                let key = self_key(&self.prefix, table, params)?;
                // The state (NULL when absent) and the server's clock (the
                // clients run on their own explicit clocks, which ignore it).
                let state = db
                    .cells
                    .get(&key)
                    .map_or(Value::Null, |s| Value::Text(s.clone()));
                Reply::Row(Some(vec![
                    state,
                    Value::Int(self.now_ms),
                    db.version.map_or(Value::Null, Value::Int),
                ]))
            }
            Stmt::CellInsert(table) => {
                let n = address_len(table);
                let key = self_key(&self.prefix, table, params.get(..n).unwrap_or(&[]))?;
                let state = text(params.get(n)).ok_or(Failure::Rejected)?;
                if db.cells.contains_key(&key) || clocks_apart {
                    Reply::Count(0)
                } else {
                    db.cells.insert(key.clone(), state.clone());
                    log = Some((key, None, Some(state)));
                    Reply::Count(1)
                }
            }
            Stmt::CellUpdate(table) => {
                let n = address_len(table);
                let state = text(params.first()).ok_or(Failure::Rejected)?;
                let key = self_key(&self.prefix, table, params.get(2..2 + n).unwrap_or(&[]))?;
                let old = text(params.get(2 + n)).ok_or(Failure::Rejected)?;
                let held = db.cells.get(&key).cloned();
                if clocks_apart {
                    Reply::Count(0)
                } else if held.as_ref() == Some(&old) || (self.broken_cas && held.is_some()) {
                    db.cells.insert(key.clone(), state.clone());
                    log = Some((key, held, Some(state)));
                    Reply::Count(1)
                } else {
                    Reply::Count(0)
                }
            }
            Stmt::CellDelete(table) => {
                let n = address_len(table);
                let key = self_key(&self.prefix, table, params.get(..n).unwrap_or(&[]))?;
                let old = text(params.get(n)).ok_or(Failure::Rejected)?;
                let held = db.cells.get(&key).cloned();
                if clocks_apart {
                    Reply::Count(0)
                } else if held.as_ref() == Some(&old) || (self.broken_cas && held.is_some()) {
                    db.cells.remove(&key);
                    log = Some((key, held, None));
                    Reply::Count(1)
                } else {
                    Reply::Count(0)
                }
            }
            Stmt::BindingsOf(n) => {
                if params.len() != n {
                    return Err(Failure::Rejected);
                }
                let rows = params
                    .iter()
                    .filter_map(|p| text(Some(p)))
                    .filter_map(|number| db.bindings.get(&number).cloned())
                    .collect();
                Reply::Rows(rows)
            }
            Stmt::InsertBindings(n) => {
                if params.len() != 5 * n {
                    return Err(Failure::Rejected);
                }
                let mut inserted = 0;
                for row in params.chunks(5) {
                    let number = text(row.first()).ok_or(Failure::Rejected)?;
                    if let std::collections::btree_map::Entry::Vacant(e) = db.bindings.entry(number)
                    {
                        e.insert(row.to_vec());
                        inserted += 1;
                    }
                }
                Reply::Count(inserted)
            }
            Stmt::ReserveSeq => {
                db.history_seq += int(params.first()).ok_or(Failure::Rejected)?;
                Reply::Count(1)
            }
            Stmt::CurrentSeq => Reply::Row(Some(vec![Value::Int(db.history_seq)])),
            Stmt::InsertHistory(n) => {
                if params.len() != 7 * n {
                    return Err(Failure::Rejected);
                }
                for row in params.chunks(7) {
                    if db.history.iter().any(|h| h.first() == row.first()) {
                        return Err(Failure::Conflict); // primary key
                    }
                }
                db.history.extend(params.chunks(7).map(<[Value]>::to_vec));
                Reply::Count(n as u64)
            }
            Stmt::BindingForUpdate => {
                let number = text(params.first()).ok_or(Failure::Rejected)?;
                Reply::Row(db.bindings.get(&number).cloned())
            }
            Stmt::RebindBinding => {
                let [mpr, key, first, number, from] = params else {
                    return Err(Failure::Rejected);
                };
                let number = text(Some(number)).ok_or(Failure::Rejected)?;
                match db.bindings.get_mut(&number) {
                    Some(row) if row.get(1) == Some(from) => {
                        row[1] = mpr.clone();
                        row[3] = key.clone();
                        row[4] = first.clone();
                        Reply::Count(1)
                    }
                    _ => Reply::Count(0),
                }
            }
            Stmt::InsertRebind => {
                if params.len() != 7 {
                    return Err(Failure::Rejected);
                }
                if db.rebinds.iter().any(|r| r.first() == params.first()) {
                    return Err(Failure::Conflict);
                }
                db.rebinds.push(params.to_vec());
                Reply::Count(1)
            }
            Stmt::AllBindings => Reply::Rows(db.bindings.values().cloned().collect()),
            Stmt::History => {
                let mut rows = db.history.clone();
                rows.sort_by_key(|r| (int(r.get(1)), int(r.first())));
                Reply::Rows(rows.into_iter().map(|r| r[1..].to_vec()).collect())
            }
            Stmt::Rebinds => {
                let mut rows = db.rebinds.clone();
                rows.sort_by_key(|r| int(r.first()));
                Reply::Rows(rows.into_iter().map(|r| r[1..].to_vec()).collect())
            }
            Stmt::Begin | Stmt::BeginImmediate | Stmt::Commit | Stmt::Rollback => {
                unreachable!("handled above")
            }
        };
        if let Some((key, prev, new)) = log {
            let write = CellWrite {
                key,
                op,
                prev,
                new,
                decided_ms,
                at_ms: self.now_ms,
            };
            match self.txs.get_mut(&client) {
                Some(tx) if !commit_now => tx.pending.push(write),
                _ => self.log.push(write),
            }
        }
        Ok(reply)
    }
}

const fn address_len(table: Table) -> usize {
    match table {
        Table::Code => 2,
        _ => 1,
    }
}

fn self_key(prefix: &Prefix, table: Table, address: &[Value]) -> Result<String, Failure> {
    if address.len() != address_len(table) {
        return Err(Failure::Rejected);
    }
    let parts: Option<Vec<String>> = address.iter().map(|v| text(Some(v))).collect();
    let parts = parts.ok_or(Failure::Rejected)?;
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    Ok(redis::key(prefix, table, &parts))
}
