'use strict'
// regcore's store layer (docs/storage.md): lockout, one-time-code, session
// and pairing-ledger state persisted atomically over the caller's own
// client. An executor of the store protocol written once in Rust
// (`regcore-store`, through the binding's `StoreProtocol`): these modules
// run the commands it names and map driver errors; every statement, key,
// TTL, retry and rule is the protocol's. See docs/node.md.
//
//   SQLiteStore(pathOrDatabase)   better-sqlite3 12   lockout, codes, sessions, ledger
//   PostgresStore(poolOrClient)   pg 8                lockout, codes, sessions, ledger
//   RedisStore(clientOrCluster)   redis (node-redis)  lockout, codes, sessions
//
// Drivers are optional peer dependencies, loaded only when a store of that
// kind is constructed; a missing one throws `store.driver_missing`.
const rc = require('./_native')
const { Admitted, RetryPolicy, StoreStats, Store, SqlStore } = require('./_api')

/** The versioned SQL migrations (`schemaMigrations()` of the binding). */
const migrations = () => rc.schemaMigrations()

module.exports = {
  Admitted,
  RetryPolicy,
  StoreStats,
  Store,
  SqlStore,
  migrations,
  get SQLiteStore() {
    return require('./sqlite').SQLiteStore
  },
  get PostgresStore() {
    return require('./postgres').PostgresStore
  },
  get RedisStore() {
    return require('./redis').RedisStore
  },
}
