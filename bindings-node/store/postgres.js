'use strict'
// PostgreSQL store over `pg` 8: pass your own `Pool` (recommended: one
// client per operation, so operations run in parallel) or a connected
// `Client` (operations then run one at a time on it). Each operation is one
// short transaction: the state row is read `FOR UPDATE`, core decides, the
// row is written (a first insert races under the primary key and retries);
// the ledger binds under the activation number's primary key (first writer
// wins, the loser re-plans).
const errors = require('./_errors')
const { Conflict } = require('./_retry')
const { SqlStore } = require('./_sqlstore')
const { expectedVersion } = require('./_sql')

function requirePg() {
  try {
    return require('pg')
  } catch (e) {
    throw errors.driverMissing('pg', 'pg', e)
  }
}

// 40001 serialization_failure, 40P01 deadlock_detected, 55P03
// lock_not_available, 23505 unique_violation: a lost race, retried.
const CONFLICT_CODES = new Set(['40001', '40P01', '55P03', '23505'])

/** `?` placeholders as `$1, $2, …` (the store's SQL has no `?` in literals). */
function numbered(sql) {
  let n = 0
  return sql.replace(/\?/g, () => `$${++n}`)
}

class DriverFailure extends Error {
  constructor(cause) {
    super('driver failure')
    this.cause = cause
  }
}

class PostgresStore extends SqlStore {
  /**
   * @param source a `pg.Pool` or a connected `pg.Client`
   * @param options `{ prefix = 'regcore', retry }`
   */
  constructor(source, { prefix, retry } = {}) {
    requirePg()
    super(prefix, 'postgres', retry)
    if (!source || typeof source.query !== 'function') throw new TypeError('PostgresStore needs a pg Pool or Client')
    this.source = source
    this._pool = typeof source.connect === 'function' && typeof source.totalCount === 'number'
    this._queue = Promise.resolve() // one operation at a time on a single Client
    this._texts = new Map()
  }

  _text(sql) {
    let text = this._texts.get(sql)
    if (text === undefined) {
      text = numbered(sql)
      this._texts.set(sql, text)
    }
    return text
  }

  async _withClient(body) {
    if (this._pool) {
      let client
      try {
        client = await this.source.connect()
      } catch (e) {
        throw new DriverFailure(e)
      }
      let broken
      try {
        return await body(client)
      } catch (e) {
        // A client whose connection failed is destroyed, not reused; one that
        // got a server error (SQLSTATE) was rolled back and is clean.
        const serverError = e instanceof DriverFailure && e.cause && /^[0-9A-Z]{5}$/.test(String(e.cause.code))
        broken = e instanceof DriverFailure && !serverError ? e : undefined
        throw e
      } finally {
        client.release(broken)
      }
    }
    const run = this._queue.then(() => body(this.source))
    this._queue = run.catch(() => {})
    return run
  }

  async _query(client, q) {
    let result
    try {
      result = await client.query({ text: this._text(q.sql), values: q.params, rowMode: 'array' })
    } catch (e) {
      throw new DriverFailure(e)
    }
    if (q.kind === 'count') return result.rowCount
    if (q.kind === 'one') return result.rows.length ? result.rows[0] : null
    return result.rows
  }

  async _execute(script, write, operation) {
    try {
      return await this._withClient(async (client) => {
        const status = typeof client.getTransactionStatus === 'function' ? client.getTransactionStatus() : null
        if (status === 'T' || status === 'E') {
          throw errors.transactionOpen('postgres')
        }
        await this._query(client, { kind: 'count', sql: 'BEGIN', params: [] })
        try {
          let next = script.next()
          while (!next.done) next = script.next(await this._query(client, next.value))
          await this._query(client, { kind: 'count', sql: 'COMMIT', params: [] })
          return next.value
        } catch (e) {
          try {
            await client.query('ROLLBACK')
          } catch (rollback) {
            if (!(e instanceof DriverFailure)) throw new DriverFailure(rollback)
          }
          throw e
        }
      })
    } catch (e) {
      if (!(e instanceof DriverFailure)) throw e
      const cause = e.cause
      const code = cause && cause.code
      if (CONFLICT_CODES.has(code)) throw new Conflict()
      if (code === '42P01') throw errors.schemaMismatch(0, expectedVersion(), cause)
      throw errors.unavailable('postgres', operation, cause)
    }
  }
}

module.exports = { PostgresStore }
