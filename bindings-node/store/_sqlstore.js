'use strict'
// Ledger, migrations and purge for the SQL stores. A driver implements
// `_execute(script, write, operation)`: run one transaction script in one
// transaction and map its errors (a lost race throws `Conflict`, anything
// else a coded `store.*` error).
const { Store } = require('./_api')
const { Sql } = require('./_sql')
const m = require('./_model')
const retry = require('./_retry')

/** Run a transaction script: `exec(query)` answers each query (sync or async). */
async function drive(script, exec) {
  let next = script.next()
  while (!next.done) {
    const answer = await exec(next.value)
    next = script.next(answer)
  }
  return next.value
}

class SqlStore extends Store {
  constructor(prefix, dialect, retryPolicy) {
    super(retryPolicy)
    this.sql = new Sql(prefix === undefined ? 'regcore' : prefix, dialect)
    this._checked = false
  }

  async _run(make, operation, write = true) {
    if (!this._checked) {
      await this._execute(this.sql.checkScript(), false, operation)
      this._checked = true
    }
    return retry.run(operation, () => this._execute(make(), write, operation), this.retry, this.stats)
  }

  _cell(table, address, decide, operation) {
    return this._run(() => this.sql.cellScript(table, address, decide), operation)
  }

  _read(table, address, operation) {
    return this._run(() => this.sql.readScript(table, address), operation, false)
  }

  // --- schema ------------------------------------------------------------------

  /** Apply core's migrations not yet applied (one transaction); the schema
   * version now in force. Never runs by itself. */
  async migrate() {
    const version = await retry.run(
      'migrate',
      () => this._execute(this.sql.migrateScript(), true, 'migrate'),
      this.retry,
      this.stats,
    )
    this._checked = true
    return version
  }

  /** The applied schema version (0 before `migrate()`). */
  schemaVersion() {
    return this._execute(this.sql.versionScript(), false, 'schema_version')
  }

  /** Delete lockout, code and session rows that no longer matter; how many. */
  purgeExpired(now) {
    const at = m.resolveNow(now).getTime()
    return this._run(() => this.sql.purgeScript(at), 'purge_expired')
  }

  // --- pairing ledger --------------------------------------------------------------

  /** Plan with core and bind under the unique constraint (first writer wins;
   * a lost race re-plans, so the loser sees reissued/refused). */
  ledgerIssue(master, request, now) {
    const at = m.resolveNow(now)
    return this._run(() => this.sql.issueScript(master, request, at), 'ledger.issue')
  }

  /** Audited administrative rebind: binding + history + audit in one transaction. */
  ledgerRebind(master, number, to, actor, reason, now) {
    const at = m.resolveNow(now)
    const rc = require('./_native')
    const n = rc.ActivationNumber.parse(String(number)).toString()
    const t = rc.MprId.parse(String(to)).toString()
    return this._run(() => this.sql.rebindScript(master, n, t, actor, reason, at), 'ledger.rebind')
  }

  ledgerBindings() {
    return this._run(() => this.sql.bindingsScript(), 'ledger.read', false)
  }

  ledgerByMprId(mprId) {
    const c = require('./_native').MprId.parse(String(mprId)).compact
    return this._run(() => this.sql.bindingsScript('WHERE mpr_id = ?', [c]), 'ledger.read', false)
  }

  async ledgerByActivationNumber(number) {
    const c = require('./_native').ActivationNumber.parse(String(number)).compact
    const found = await this._run(() => this.sql.bindingsScript('WHERE activation_number = ?', [c]), 'ledger.read', false)
    return found.length ? found[0] : null
  }

  ledgerRebinds() {
    return this._run(() => this.sql.rebindsScript(), 'ledger.read', false)
  }

  /** Detail history over an optional inclusive range of days in the
   * caller's UTC offset (`{ days: { from, to }, utcOffsetMinutes }`). */
  async ledgerHistory(options) {
    const ledger = await this._run(() => this.sql.historyLedgerScript(options), 'ledger.read', false)
    return ledger.history(options && options.utcOffsetMinutes ? { utcOffsetMinutes: options.utcOffsetMinutes } : null)
  }

  /** `ledgerHistory` as core's CSV. */
  async ledgerHistoryCsv(options) {
    const ledger = await this._run(() => this.sql.historyLedgerScript(options), 'ledger.read', false)
    return ledger.historyCsv(options && options.utcOffsetMinutes ? { utcOffsetMinutes: options.utcOffsetMinutes } : null)
  }

  /** Issues per calendar day in the caller's UTC offset, grouped in SQL. */
  ledgerDailyCounts(options) {
    return this._run(() => this.sql.dailyScript(options), 'ledger.read', false)
  }
}

module.exports = { SqlStore, drive }
