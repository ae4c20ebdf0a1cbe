'use strict'
// regcore's store layer (SPEC §8): core's state values persisted atomically,
// over the caller's own client. Pure JavaScript over the binding; every
// decision is core's. See docs/node.md.
//
//   SQLiteStore(pathOrDatabase)   better-sqlite3 12   lockout, codes, sessions, ledger
//   PostgresStore(poolOrClient)   pg 8                lockout, codes, sessions, ledger
//   RedisStore(clientOrCluster)   redis (node-redis)  lockout, codes, sessions
//
// Drivers are optional peer dependencies, loaded only when a store of that
// kind is constructed; a missing one throws `store.driver_missing`.
const { Admitted } = require('./_model')
const { RetryPolicy, StoreStats } = require('./_retry')
const { migrations } = require('./_sql')
const { Store } = require('./_api')
const { SqlStore } = require('./_sqlstore')

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
