'use strict'
// PostgreSQL store over `pg` 8: pass your own `Pool` (recommended: one
// client per operation, so operations run in parallel) or a connected
// `Client` (operations then run one at a time on it). An executor of the
// store protocol: it holds one connection per operation, runs the
// statements the protocol names in autocommit (a cell operation is one
// statement: one round trip on the common path; a ledger operation is one
// transaction the protocol opens and commits) and maps pg's errors.
const errors = require('./_errors')
const { SqlStore } = require('./_api')
const { drive } = require('./_drive')

function requirePg() {
  try {
    return require('pg')
  } catch (e) {
    throw errors.driverMissing('pg', 'pg', e)
  }
}

// 40001 serialization_failure, 40P01 deadlock_detected, 55P03
// lock_not_available, 23505 unique_violation: a lost race.
const CONFLICT_CODES = new Set(['40001', '40P01', '55P03', '23505'])

/** No connection could be had: the command was never sent. */
class Unreachable extends Error {
  constructor(cause) {
    super('no connection to PostgreSQL')
    this.driverError = cause
  }
}

const isSqlState = (code) => typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)

function classify(e) {
  if (e instanceof Unreachable) return 'unreachable'
  const code = e && e.code
  if (isSqlState(code)) {
    if (CONFLICT_CODES.has(code)) return 'conflict'
    if (code === '42P01') return 'missing_table'
    if (code.startsWith('22') || code.startsWith('54')) return 'rejected'
    return 'unavailable'
  }
  // pg refuses a query on a closed or broken client before sending it.
  if (e instanceof Error && /is not queryable/.test(e.message)) return 'unreachable'
  if (e instanceof Error) return 'unavailable'
  return null
}

async function query(client, command) {
  const result = await client.query({ text: command.sql, values: command.params, rowMode: 'array' })
  if (command.kind === 'count') return result.rowCount ?? 0
  if (command.kind === 'row') return result.rows.length ? result.rows[0] : null
  return result.rows
}

const inTransaction = (client) => {
  const status = typeof client.getTransactionStatus === 'function' ? client.getTransactionStatus() : null
  return status === 'T' || status === 'E'
}

class PostgresStore extends SqlStore {
  /**
   * @param source a `pg.Pool` or a connected `pg.Client`
   * @param options `{ prefix = 'regcore', retry }`
   */
  constructor(source, { prefix, retry } = {}) {
    requirePg()
    super('postgres', { prefix, retry })
    if (!source || typeof source.query !== 'function' || typeof source.connect !== 'function') {
      throw errors.invalidClient('postgres', 'a pg Pool or a connected pg Client')
    }
    this.source = source
    this._pool = typeof source.totalCount === 'number' && typeof source.release !== 'function'
    this._queue = Promise.resolve() // one operation at a time on a single Client
  }

  async _drive(op, operation) {
    if (!this._pool) {
      const run = this._queue.then(() => this._driveOn(this.source, op, () => this.source))
      this._queue = run.catch(() => {})
      return run
    }
    let client = null
    // Connected on the first command, so a failed connect is "nothing sent".
    const connect = async () => {
      if (client === null) {
        try {
          client = await this.source.connect()
        } catch (e) {
          throw new Unreachable(e)
        }
      }
      return client
    }
    let broken
    try {
      await this._driveOn(null, op, connect)
    } catch (e) {
      // A client whose connection failed is destroyed, not reused; one that
      // got a server error (SQLSTATE) was rolled back and is clean.
      broken = e.cause && !isSqlState(e.cause.code) ? e.cause : undefined
      throw e
    } finally {
      if (client !== null) {
        if (!broken && inTransaction(client)) {
          try {
            await client.query('ROLLBACK')
          } catch (e) {
            broken = e
          }
        }
        client.release(broken)
      }
    }
  }

  async _driveOn(given, op, connection) {
    if (given !== null && inTransaction(given)) throw errors.transactionOpen('postgres')
    try {
      await drive(op, async (command) => query(await connection(), command), classify)
    } finally {
      if (given !== null && inTransaction(given)) {
        try {
          await given.query('ROLLBACK') // an exception escaped mid-transaction
        } catch {}
      }
    }
  }
}

module.exports = { PostgresStore }
