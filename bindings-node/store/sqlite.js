'use strict'
// SQLite store over `better-sqlite3` (12; 13 needs Node 22): the embedded
// default for scripts, tools, one-server sites and tests. Every write runs in
// `BEGIN IMMEDIATE` (one writer at a time; others wait up to the busy
// timeout), so an operation's read-decide-write is atomic across processes
// sharing the file. Pass a file path (opened with WAL and a busy timeout:
// that is you asking) or your own `Database` (put it in WAL mode yourself).
const errors = require('./_errors')
const { Conflict } = require('./_retry')
const { SqlStore, drive } = require('./_sqlstore')

function betterSqlite3() {
  try {
    return require('better-sqlite3')
  } catch (e) {
    throw errors.driverMissing('better-sqlite3', 'better-sqlite3', e)
  }
}

const isBusy = (e) => e && typeof e.code === 'string' && (e.code.startsWith('SQLITE_BUSY') || e.code.startsWith('SQLITE_LOCKED'))

class SQLiteStore extends SqlStore {
  /**
   * @param database a file path or a `better-sqlite3` Database
   * @param options `{ prefix = 'regcore', retry, busyTimeoutMs = 10000 }`
   */
  constructor(database, { prefix, retry, busyTimeoutMs = 10_000 } = {}) {
    super(prefix, 'sqlite', retry)
    if (typeof database === 'string') {
      const Database = betterSqlite3()
      try {
        this.connection = new Database(database, { timeout: busyTimeoutMs })
        this.connection.pragma('journal_mode = WAL')
      } catch (e) {
        throw errors.unavailable('sqlite', 'open', e)
      }
      this._owned = true
    } else if (database && typeof database.prepare === 'function' && 'inTransaction' in database) {
      this.connection = database
      this._owned = false
    } else {
      throw new TypeError('SQLiteStore needs a file path or a better-sqlite3 Database')
    }
    this.connection.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`)
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

  _query(q) {
    const stmt = this._prepare(q.sql)
    if (q.kind === 'count') return stmt.run(...q.params).changes
    if (q.kind === 'one') return stmt.get(...q.params) ?? null
    return stmt.all(...q.params)
  }

  async _execute(script, write, operation) {
    const db = this.connection
    // Synchronous from BEGIN to COMMIT: no other operation of this process
    // interleaves (better-sqlite3 runs on the calling thread).
    try {
      if (db.inTransaction) throw errors.transactionOpen('sqlite')
      db.exec(write ? 'BEGIN IMMEDIATE' : 'BEGIN')
      try {
        let next = script.next()
        while (!next.done) next = script.next(this._query(next.value))
        db.exec('COMMIT')
        return next.value
      } catch (e) {
        if (db.inTransaction) db.exec('ROLLBACK')
        throw e
      }
    } catch (e) {
      if (e instanceof Conflict || errors.isRegcoreError(e)) throw e
      if (isBusy(e)) throw new Conflict()
      if (e && typeof e.code === 'string' && e.code.startsWith('SQLITE')) {
        if (/no such table/.test(e.message)) {
          const { expectedVersion } = require('./_sql')
          throw errors.schemaMismatch(0, expectedVersion(), e)
        }
        throw errors.unavailable('sqlite', operation, e)
      }
      if (e instanceof TypeError && /database connection is not open/.test(e.message)) {
        throw errors.unavailable('sqlite', operation, e)
      }
      throw e
    }
  }
}

module.exports = { SQLiteStore, drive }
