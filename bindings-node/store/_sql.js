'use strict'
// What the SQL stores (SQLite, PostgreSQL) share: every operation written
// once as a generator that yields queries and receives their results (a
// transaction script); each driver runs the script inside one transaction
// and maps its errors. The SQL text is the Python store layer's, so a Node
// and a Python server can share one database.
const rc = require('./_native')
const errors = require('./_errors')
const { KEEP, DELETE } = require('./_model')
const { Conflict } = require('./_retry')

const one = (sql, params = []) => ({ kind: 'one', sql, params })
const all = (sql, params = []) => ({ kind: 'all', sql, params })
const count = (sql, params = []) => ({ kind: 'count', sql, params })

const CELL_KEYS = { lockout: ['key'], session: ['key'], code: ['purpose', 'subject'] }
const BINDING_COLS = 'activation_number, mpr_id, product, registration_key, first_issued_at'

/** Core's versioned migrations (`schemaMigrations()`), never a copy. */
function migrations() {
  return rc.schemaMigrations().map(({ version, sql }) => ({ version, sql }))
}
const expectedVersion = () => Math.max(...migrations().map((x) => x.version))

const compact = (s) => String(s).replace(/-/g, '').toUpperCase()
const dash = (c) => c.match(/.{1,4}/g).join('-')
const iso = (ms) => new Date(Number(ms)).toISOString()

function bindingFromRow(r) {
  return {
    activationNumber: dash(r[0]),
    mprId: dash(r[1]),
    product: Number(r[2]),
    registrationKey: dash(r[3]),
    firstIssuedAt: new Date(Number(r[4])),
  }
}

function bindingJson(b) {
  return {
    activation_number: b.activationNumber,
    mpr_id: b.mprId,
    product: b.product,
    registration_key: b.registrationKey,
    first_issued_at: b.firstIssuedAt.toISOString(),
  }
}

/** `{ days: { from, to }, utcOffsetMinutes }` -> SQL range on `at` (ms). */
function dayRange(options) {
  const offsetMs = (options && options.utcOffsetMinutes ? options.utcOffsetMinutes : 0) * 60_000
  const days = options && options.days
  if (!days) return { where: '', params: [], offsetMs }
  const day = (s, name) => {
    const t = /^\d{4}-\d{2}-\d{2}$/.test(s) ? Date.parse(`${s}T00:00:00Z`) : NaN
    if (Number.isNaN(t)) throw new RangeError(`${name} must be a day as YYYY-MM-DD`)
    return t
  }
  const lo = day(days.from, 'days.from') - offsetMs
  const hi = day(days.to, 'days.to') + 86_400_000 - offsetMs
  return { where: 'WHERE at >= ? AND at < ?', params: [lo, hi], offsetMs }
}

/** Statements of a migration: whole-line `--` comments dropped, split at `;`. */
function statements(sql) {
  const code = sql
    .split(/\r?\n/)
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
  return code
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)
}

class Sql {
  constructor(prefix, dialect) {
    this.prefix = errors.checkPrefix(prefix)
    this.dialect = dialect
    this.lock = dialect === 'postgres' ? ' FOR UPDATE' : ''
  }

  t(name) {
    return `${this.prefix}_${name}`
  }

  // --- state cells ---------------------------------------------------------

  *cellScript(table, address, decide) {
    const cols = CELL_KEYS[table]
    const where = cols.map((c) => `${c} = ?`).join(' AND ')
    const t = this.t(table)
    const row = yield one(`SELECT state FROM ${t} WHERE ${where}${this.lock}`, address)
    const old = row ? row[0] : null
    const s = decide(old)
    if (s.write === KEEP) return s.result
    let changed
    if (s.write === DELETE) {
      changed = yield count(`DELETE FROM ${t} WHERE ${where} AND state = ?`, [...address, old])
    } else if (old === null) {
      const marks = cols.map(() => '?').join(', ')
      changed = yield count(
        `INSERT INTO ${t} (${cols.join(', ')}, state, expires_at) VALUES (${marks}, ?, ?) ON CONFLICT DO NOTHING`,
        [...address, s.write, s.expiresMs],
      )
    } else {
      changed = yield count(`UPDATE ${t} SET state = ?, expires_at = ? WHERE ${where} AND state = ?`, [
        s.write,
        s.expiresMs,
        ...address,
        old,
      ])
    }
    if (changed !== 1) throw new Conflict()
    return s.result
  }

  *readScript(table, address) {
    const where = CELL_KEYS[table].map((c) => `${c} = ?`).join(' AND ')
    const row = yield one(`SELECT state FROM ${this.t(table)} WHERE ${where}`, address)
    return row ? row[0] : null
  }

  *purgeScript(nowMs) {
    let total = 0
    for (const table of ['lockout', 'code', 'session']) {
      total += yield count(`DELETE FROM ${this.t(table)} WHERE expires_at IS NOT NULL AND expires_at <= ?`, [nowMs])
    }
    return total
  }

  // --- pairing ledger ----------------------------------------------------------

  /** Reserve `n` history sequence numbers (holds the ledger's write lock
   * until commit, so history is in commit order). */
  *nextSeq(n) {
    const meta = this.t('meta')
    yield count(`UPDATE ${meta} SET value = value + ? WHERE name = 'history_seq'`, [n])
    const row = yield one(`SELECT value FROM ${meta} WHERE name = 'history_seq'`)
    return Number(row[0]) - n + 1
  }

  *issueScript(master, request, now) {
    const numbers = [...new Set(request.keys.map((k) => compact(k.number)))].sort()
    const binding = this.t('binding')
    const marks = numbers.map(() => '?').join(', ')
    const rows = yield all(`SELECT ${BINDING_COLS} FROM ${binding} WHERE activation_number IN (${marks})`, numbers)
    const existing = rows.map(bindingFromRow)
    const plan = rc.planIssuance(master, request, existing, now)
    if (request.mode === 'demo') return plan
    const fresh = [...plan.newBindings].sort((a, b) => (compact(a.activationNumber) < compact(b.activationNumber) ? -1 : 1))
    for (const b of fresh) {
      const inserted = yield count(
        `INSERT INTO ${binding} (${BINDING_COLS}) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [compact(b.activationNumber), compact(b.mprId), b.product, compact(b.registrationKey), b.firstIssuedAt.getTime()],
      )
      if (inserted !== 1) throw new Conflict() // another request bound it first: re-plan
    }
    const events = plan.outcomes.filter((o) => (o.outcome === 'issued' || o.outcome === 'reissued') && o.registrationKey)
    if (events.length) {
      const seq = yield* this.nextSeq(events.length)
      for (let i = 0; i < events.length; i++) {
        const o = events[i]
        yield count(
          `INSERT INTO ${this.t('history')} (seq, at, event, mpr_id, activation_number, product, registration_key) ` +
            'VALUES (?, ?, ?, ?, ?, ?, ?)',
          [seq + i, now.getTime(), o.outcome, compact(request.mprId), compact(o.activationNumber), o.product, compact(o.registrationKey)],
        )
      }
    }
    return plan
  }

  *rebindScript(master, number, to, actor, reason, now) {
    const binding = this.t('binding')
    const row = yield one(`SELECT ${BINDING_COLS} FROM ${binding} WHERE activation_number = ?${this.lock}`, [compact(number)])
    const current = row ? bindingFromRow(row) : null
    // Core's rules (audit fields, not bound, same terminal, the new key) on a
    // one-binding in-memory ledger.
    const bindings = current ? { [current.activationNumber]: bindingJson(current) } : {}
    const ledger = rc.Ledger.fromJSON(JSON.stringify({ bindings, history: [], rebinds: [] }))
    const record = ledger.rebind(master, number, to, actor, reason, now)
    const moved = ledger.byActivationNumber(number)
    const changed = yield count(
      `UPDATE ${binding} SET mpr_id = ?, registration_key = ?, first_issued_at = ? WHERE activation_number = ? AND mpr_id = ?`,
      [compact(moved.mprId), compact(moved.registrationKey), moved.firstIssuedAt.getTime(), compact(number), compact(current.mprId)],
    )
    if (changed !== 1) throw new Conflict()
    const seq = yield* this.nextSeq(1)
    yield count(
      `INSERT INTO ${this.t('history')} (seq, at, event, mpr_id, activation_number, product, registration_key) ` +
        "VALUES (?, ?, 'rebound', ?, ?, ?, ?)",
      [seq, now.getTime(), compact(moved.mprId), compact(number), moved.product, compact(moved.registrationKey)],
    )
    yield count(
      `INSERT INTO ${this.t('rebind')} (seq, at, activation_number, from_mpr_id, to_mpr_id, actor, reason) ` +
        'VALUES (?, ?, ?, ?, ?, ?, ?)',
      [seq, now.getTime(), compact(number), compact(record.from), compact(record.to), record.actor, record.reason],
    )
    return record
  }

  *bindingsScript(where = '', params = []) {
    const rows = yield all(`SELECT ${BINDING_COLS} FROM ${this.t('binding')} ${where} ORDER BY activation_number`, params)
    return rows.map(bindingFromRow)
  }

  *rebindsScript() {
    const rows = yield all(
      `SELECT at, activation_number, from_mpr_id, to_mpr_id, actor, reason FROM ${this.t('rebind')} ORDER BY seq`,
    )
    const rebinds = rows.map((r) => ({
      at: iso(r[0]),
      activation_number: dash(r[1]),
      from: dash(r[2]),
      to: dash(r[3]),
      actor: r[4],
      reason: r[5],
    }))
    return rc.Ledger.fromJSON(JSON.stringify({ bindings: {}, history: [], rebinds })).rebinds()
  }

  /** The history rows of a range as a core `Ledger` (rendered by core). */
  *historyLedgerScript(options) {
    const { where, params } = dayRange(options)
    const rows = yield all(
      `SELECT at, event, mpr_id, activation_number, product, registration_key FROM ${this.t('history')} ${where} ORDER BY at, seq`,
      params,
    )
    const history = rows.map((r) => ({
      at: iso(r[0]),
      event: r[1],
      mpr_id: dash(r[2]),
      activation_number: dash(r[3]),
      product: Number(r[4]),
      registration_key: dash(r[5]),
    }))
    return rc.Ledger.fromJSON(JSON.stringify({ bindings: {}, history, rebinds: [] }))
  }

  *dailyScript(options) {
    const { where, params, offsetMs } = dayRange(options)
    const rows = yield all(
      'SELECT (at + CAST(? AS BIGINT)) / 86400000, ' +
        "SUM(CASE WHEN event = 'reissued' THEN 0 ELSE 1 END), " +
        "SUM(CASE WHEN event = 'reissued' THEN 1 ELSE 0 END) " +
        `FROM ${this.t('history')} ${where} GROUP BY 1 ORDER BY 1`,
      [offsetMs, ...params],
    )
    return rows.map((r) => ({
      date: new Date(Number(r[0]) * 86_400_000).toISOString().slice(0, 10),
      issued: Number(r[1]),
      reissued: Number(r[2]),
    }))
  }

  // --- schema ----------------------------------------------------------------

  *versionScript() {
    const meta = this.t('meta')
    let exists
    if (this.dialect === 'postgres') {
      const row = yield one('SELECT to_regclass(?) IS NOT NULL', [meta])
      exists = Boolean(row[0])
    } else {
      const row = yield one("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", [meta])
      exists = Number(row[0]) > 0
    }
    if (!exists) return 0
    const row = yield one(`SELECT value FROM ${meta} WHERE name = 'schema_version'`)
    return row ? Number(row[0]) : 0
  }

  *migrateScript() {
    if (this.dialect === 'postgres') {
      // Two processes migrating at once: the second waits, then finds it done.
      yield one('SELECT pg_advisory_xact_lock(hashtext(?))', [this.t('meta')])
    }
    const found = yield* this.versionScript()
    const steps = migrations()
    const expected = Math.max(...steps.map((x) => x.version))
    if (found > expected) throw errors.schemaMismatch(found, expected)
    for (const { version, sql } of steps) {
      if (version <= found) continue
      for (const statement of statements(sql.replaceAll('{prefix}', this.prefix))) yield count(statement)
    }
    if (found < expected) {
      const meta = this.t('meta')
      if (found === 0) yield count(`INSERT INTO ${meta} (name, value) VALUES ('schema_version', ?)`, [expected])
      else yield count(`UPDATE ${meta} SET value = ? WHERE name = 'schema_version'`, [expected])
    }
    return expected
  }

  *checkScript() {
    const found = yield* this.versionScript()
    const expected = expectedVersion()
    if (found !== expected) throw errors.schemaMismatch(found, expected)
  }
}

module.exports = { Sql, migrations, expectedVersion, compact, dash, bindingFromRow }
