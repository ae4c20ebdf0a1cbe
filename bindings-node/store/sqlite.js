'use strict'
// SQLite store over `better-sqlite3` (12; 13 needs Node 22): the embedded
// default for scripts, tools, one-server sites and tests. An executor of
// the store protocol: it runs the statements the protocol names on one
// connection, in autocommit (a cell operation is one statement; a ledger
// operation is one transaction the protocol opens and commits), and maps
// better-sqlite3's errors. Statements run synchronously, so nothing else of
// this process runs on the connection between two of them. Pass a file
// path (opened with WAL and a busy timeout: that is you asking) or your own
// `Database` (put it in WAL mode yourself).
const errors = require('./_errors')
const { SqlStore } = require('./_api')
const { drive } = require('./_drive')

function betterSqlite3() {
  try {
    return require('better-sqlite3')
  } catch (e) {
    throw errors.driverMissing('better-sqlite3', 'better-sqlite3', e)
  }
}

function classify(e) {
  const code = e && typeof e.code === 'string' ? e.code : ''
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'conflict'
  if (code.startsWith('SQLITE_CONSTRAINT')) return 'conflict'
  if (code.startsWith('SQLITE_MISMATCH') || code.startsWith('SQLITE_TOOBIG') || code.startsWith('SQLITE_RANGE')) return 'rejected'
  if (code.startsWith('SQLITE')) return /no such table/.test(e.message) ? 'missing_table' : 'unavailable'
  if (e instanceof TypeError && /database connection is not open/.test(e.message)) return 'unreachable'
  if (e instanceof TypeError || e instanceof RangeError) return 'rejected' // a value or statement the driver refused
  return null
}

const MAX_TIMEOUT_MS = 2 ** 31 - 1

class SQLiteStore extends SqlStore {
  /**
   * @param database a file path or a `better-sqlite3` Database
   * @param options `{ prefix = 'regcore', retry, busyTimeoutMs = 10000 }`
   */
  constructor(database, { prefix, retry, busyTimeoutMs = 10_000 } = {}) {
    super('sqlite', { prefix, retry })
    if (typeof busyTimeoutMs !== 'number' || !Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0 || busyTimeoutMs > MAX_TIMEOUT_MS) {
      throw errors.invalidOption('busyTimeoutMs', `an integer number of milliseconds from 0 to ${MAX_TIMEOUT_MS}`)
    }
    if (typeof database === 'string') {
      const Database = betterSqlite3()
      try {
        this.connection = new Database(database, { timeout: busyTimeoutMs })
        this.connection.pragma('journal_mode = WAL')
      } catch (e) {
        throw errors.unavailable('sqlite', 'open', e)
      }
      this._owned = true
    } else if (database && typeof database.prepare === 'function' && typeof database.pragma === 'function' && 'inTransaction' in database) {
      this.connection = database
      this._owned = false
    } else {
      throw errors.invalidClient('sqlite', 'a file path or a better-sqlite3 Database')
    }
    try {
      this.connection.pragma(`busy_timeout = ${busyTimeoutMs}`)
    } catch (e) {
      throw errors.unavailable('sqlite', 'open', e)
    }
    this._statements = new Map()
  }

  /** Close the database if the store opened it (from a path). */
  close() {
    if (this._owned) this.connection.close()
  }

  _prepare(sql) {
    let stmt = this._statements.get(sql)
    if (!stmt) {
      stmt = this.connection.prepare(sql)
      if (stmt.reader) stmt.raw(true)
      this._statements.set(sql, stmt)
    }
    return stmt
  }

  _execute(command) {
    const stmt = this._prepare(command.sql)
    if (command.kind === 'count') return stmt.run(...command.params).changes
    if (command.kind === 'row') return stmt.get(...command.params) ?? null
    return stmt.all(...command.params)
  }

  async _drive(op, operation) {
    const db = this.connection
    if (!db.open) throw errors.unavailable('sqlite', operation, new TypeError('The database connection is not open'))
    if (db.inTransaction) throw errors.transactionOpen('sqlite')
    try {
      await drive(op, (command) => this._execute(command), classify)
    } finally {
      try {
        if (db.open && db.inTransaction) db.exec('ROLLBACK') // an exception escaped mid-transaction
      } catch {}
    }
  }
}

module.exports = { SQLiteStore }
