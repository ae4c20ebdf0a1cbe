'use strict'
// The store API over the native store protocol, written once. Each method
// asks the protocol for an operation (a state machine: every statement,
// key, TTL, retry and rule is the protocol's) and says which typed result
// to read; the store's executor drives it (`_drive(op, operation)`: run
// each command on the driver, classify its errors). Nothing is decided
// here. Operation names are the Python store layer's, in camelCase.
const rc = require('./_native')
const errors = require('./_errors')

const DEFAULTS = rc.storeRetryDefaults()

/** Bounded retries with full jitter (the protocol's rule; defaults from
 * it). Checked when a store is built (`store.invalid_option`). */
class RetryPolicy {
  constructor({
    attempts = DEFAULTS.attempts,
    deadlineMs = DEFAULTS.deadlineMs,
    baseDelayMs = DEFAULTS.baseDelayMs,
    maxDelayMs = DEFAULTS.maxDelayMs,
  } = {}) {
    this.attempts = attempts
    this.deadlineMs = deadlineMs
    this.baseDelayMs = baseDelayMs
    this.maxDelayMs = maxDelayMs
    Object.freeze(this)
  }
}

/** Counters for benchmarks and monitoring: operations and lost races. */
class StoreStats {
  constructor() {
    this.operations = 0
    this.conflicts = 0
    this.contended = 0
    this.mostTries = 0
  }

  count(conflicts, contended) {
    this.operations += 1
    this.conflicts += conflicts
    this.contended += contended ? 1 : 0
    this.mostTries = Math.max(this.mostTries, conflicts + 1)
  }

  /** Lost races per operation. */
  get retryRate() {
    return this.operations ? this.conflicts / this.operations : 0
  }
}

/** An attempt admitted by the store: its failure is already stored. Check
 * the password now, then settle exactly once with the store's
 * `lockoutSettle(admitted, passwordOk)` (or `failure()` here, which writes
 * nothing: the failure was counted when the attempt was admitted). */
class Admitted {
  constructor(key, policy, admission, stored) {
    this.key = key
    this.policy = policy
    /** The state stored on admission (this attempt counted as a failure). */
    this.state = admission.state
    Object.defineProperty(this, 'admission', { value: admission, enumerable: false })
    Object.defineProperty(this, 'stored', { value: stored, enumerable: false })
  }

  get settled() {
    return this.admission.settled
  }

  /** The password was wrong: nothing more to write; the stored state. */
  failure() {
    return this.admission.failure()
  }
}

function retryOptions(retry) {
  if (retry === undefined || retry === null) return new RetryPolicy()
  if (retry instanceof RetryPolicy) return retry
  if (typeof retry !== 'object') {
    throw errors.invalidOption('retry', 'a RetryPolicy or { attempts, deadlineMs, baseDelayMs, maxDelayMs }')
  }
  return new RetryPolicy(retry)
}

const first = (found) => (found.length ? found[0] : null)

class Store {
  /** `kind`: `sqlite`, `postgres` or `redis`. */
  constructor(kind, { prefix, retry } = {}) {
    this.retry = retryOptions(retry)
    this.stats = new StoreStats()
    Object.defineProperty(this, '_protocol', {
      value: new rc.StoreProtocol(kind, prefix === undefined ? 'regcore' : prefix, { ...this.retry }),
    })
  }

  /** The table or key prefix. */
  get prefix() {
    return this._protocol.prefix
  }

  /** Drive `op`, count it, read its result with `read(op)`. */
  async _call(op, operation, read) {
    try {
      await this._drive(op, operation)
    } catch (e) {
      this.stats.count(op.conflicts, errors.isRegcoreError(e) && e.code === 'store.contended')
      throw e
    }
    this.stats.count(op.conflicts, false)
    return read(op)
  }

  // --- lockout -------------------------------------------------------------

  /** Admit an attempt (its failure stored in advance): an `Admitted`, or
   * core's refusal (`LockoutDecision` with `allowed: false`): refuse
   * without checking the password. */
  async lockoutAdmit(key, policy, now) {
    const op = this._protocol.lockoutAdmit(key, policy, now)
    return this._call(op, 'lockout.admit', (done) => {
      const stored = done.admitStored()
      const outcome = done.admitResult()
      return stored === null ? outcome : new Admitted(key, policy, outcome, stored)
    })
  }

  /** Settle an admitted attempt once: a wrong password writes nothing
   * more; a right one resets the stored state (compare-and-set, retried). */
  async lockoutSettle(admitted, passwordOk, now) {
    if (!(admitted instanceof Admitted)) throw errors.invalidAdmission()
    if (!passwordOk) return admitted.failure()
    const success = admitted.admission.success() // lockout.admission_used on a second settle
    const op = this._protocol.lockoutSettle(admitted.key, admitted.policy, success, admitted.stored, now)
    return this._call(op, 'lockout.settle', (done) => done.lockoutResult())
  }

  /** Admit, check the password only if admitted, settle. `checkPassword`
   * (sync or async) runs at most once and never while the key is locked. */
  async login(key, policy, checkPassword, now) {
    const admitted = await this.lockoutAdmit(key, policy, now)
    if (!(admitted instanceof Admitted)) return { ok: false, locked: admitted, state: null }
    let ok
    try {
      ok = Boolean(await checkPassword())
    } catch (e) {
      admitted.failure() // counted on admission; the check's error goes to the caller
      throw e
    }
    return { ok, locked: null, state: await this.lockoutSettle(admitted, ok, now) }
  }

  /** The stored state (the default state when nothing is stored). */
  async lockoutState(key) {
    return this._call(this._protocol.lockoutState(key), 'lockout.read', (done) => done.lockoutResult())
  }

  /** Forget the stored state of `key` (an administrator's unlock); true if
   * one was stored. */
  async lockoutReset(key) {
    return this._call(this._protocol.lockoutReset(key), 'lockout.reset', (done) => done.boolResult())
  }

  // --- one-time codes --------------------------------------------------------

  /** Issue the next code for (policy.purpose, subject); earlier ones die. */
  async codeIssue(policy, secret, subject, now) {
    const op = this._protocol.codeIssue(policy, secret, subject, now)
    return this._call(op, 'code.issue', (done) => done.issuedResult())
  }

  /** Verify and store the outcome atomically; `null` when no code is stored. */
  async codeVerify(policy, secret, subject, typed, now) {
    const op = this._protocol.codeVerify(policy, secret, subject, typed, now)
    return this._call(op, 'code.verify', (done) => done.verifyResult())
  }

  /** The stored code state, if any. */
  async codeState(purpose, subject) {
    return this._call(this._protocol.codeState(purpose, subject), 'code.read', (done) => done.codeStateResult())
  }

  // --- sessions ----------------------------------------------------------------

  /** Start a session under `sessionId`. */
  async sessionStart(sessionId, policy, now) {
    const op = this._protocol.sessionStart(sessionId, policy, now)
    return this._call(op, 'session.start', (done) => done.sessionResult())
  }

  /** Renew on activity; `null` for an unknown or revoked session. An expired
   * session is deleted and its status says why. */
  async sessionTouch(sessionId, policy, now) {
    const op = this._protocol.sessionTouch(sessionId, policy, now)
    return this._call(op, 'session.touch', (done) => done.touchResult())
  }

  /** End a session; wins over any touch in flight. True if it existed. */
  async sessionRevoke(sessionId) {
    return this._call(this._protocol.sessionRevoke(sessionId), 'session.revoke', (done) => done.boolResult())
  }

  // --- SQL stores: schema, purge, ledger (Redis: store.unsupported) ----------

  /** Apply the migrations not yet applied (one transaction); the schema
   * version now in force. Never runs by itself. */
  async migrate() {
    return this._call(this._protocol.migrate(), 'migrate', (done) => done.numberResult())
  }

  /** The applied schema version (0 before `migrate()`). */
  async schemaVersion() {
    return this._call(this._protocol.schemaVersion(), 'schema_version', (done) => done.numberResult())
  }

  /** Delete lockout, code and session rows that no longer matter; how many. */
  async purgeExpired(now) {
    return this._call(this._protocol.purgeExpired(now), 'purge_expired', (done) => done.numberResult())
  }

  /** Plan with core and bind under the unique key (first writer wins; a
   * lost race re-plans, so the loser sees reissued/refused). */
  async ledgerIssue(master, request, now) {
    const op = this._protocol.ledgerIssue(master, request, now)
    return this._call(op, 'ledger.issue', (done) => done.planResult())
  }

  /** Audited administrative rebind: binding + history + audit in one transaction. */
  async ledgerRebind(master, number, to, actor, reason, now) {
    const op = this._protocol.ledgerRebind(master, number, to, actor, reason, now)
    return this._call(op, 'ledger.rebind', (done) => done.rebindResult())
  }

  /** Every binding, by activation number. */
  async ledgerBindings() {
    return this._call(this._protocol.ledgerBindings(), 'ledger.read', (done) => done.bindingsResult())
  }

  /** The bindings of one terminal. */
  async ledgerByMprId(mprId) {
    return this._call(this._protocol.ledgerBindings(mprId), 'ledger.read', (done) => done.bindingsResult())
  }

  /** The binding of one activation number, if any. */
  async ledgerByActivationNumber(number) {
    const op = this._protocol.ledgerBindings(null, number)
    return this._call(op, 'ledger.read', (done) => first(done.bindingsResult()))
  }

  /** The rebind audit trail, in order. */
  async ledgerRebinds() {
    return this._call(this._protocol.ledgerRebinds(), 'ledger.read', (done) => done.rebindsResult())
  }

  /** Detail history over an optional inclusive range of days in the
   * caller's UTC offset (`{ days: { from, to }, utcOffsetMinutes }`). */
  async ledgerHistory(options) {
    const op = this._protocol.ledgerHistory(options)
    return this._call(op, 'ledger.read', (done) => done.historyResult())
  }

  /** `ledgerHistory` as core's CSV. */
  async ledgerHistoryCsv(options) {
    const op = this._protocol.ledgerHistory(options)
    return this._call(op, 'ledger.read', (done) => done.historyCsvResult())
  }

  /** Issues per calendar day in the caller's UTC offset, counted in SQL. */
  async ledgerDailyCounts(options) {
    const op = this._protocol.ledgerDailyCounts(options)
    return this._call(op, 'ledger.read', (done) => done.dailyResult())
  }
}

/** The SQL stores (SQLite, PostgreSQL): the same API (the ledger works). */
class SqlStore extends Store {}

module.exports = { Store, SqlStore, Admitted, RetryPolicy, StoreStats }
