'use strict'
// Shared by the store suite: real servers (scripts/services.sh), one store
// per OS process, a barrier across processes, the shared scenarios file.
const path = require('node:path')
const os = require('node:os')
const fs = require('node:fs')
const crypto = require('node:crypto')
const { fork } = require('node:child_process')
const rc = require('../index.js')
const storeLib = require('../store')

const SCENARIOS = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'tests', 'store-scenarios.json'), 'utf8'))
const T0 = new Date(SCENARIOS.clock)
const SECRET_BYTES = Buffer.from(Array.from({ length: 32 }, (_, i) => i))
const MASTER_BYTES = Buffer.from(Array.from({ length: 32 }, (_, i) => 100 + i))
const START_HINT = 'start the servers with: bash scripts/services.sh (or set REGCORE_STORE_TESTS=skip)'

/** libpq `key=value` conninfo (as scripts/services.sh prints it) -> pg config. */
function pgConfig(database) {
  const info = process.env.REGCORE_TEST_POSTGRES || 'host=127.0.0.1 port=5432 user=postgres dbname=postgres'
  const kv = Object.fromEntries(info.split(/\s+/).filter(Boolean).map((p) => p.split('=')))
  return {
    host: kv.host || '127.0.0.1',
    port: Number(kv.port || 5432),
    user: kv.user || 'postgres',
    password: kv.password,
    database: database || kv.dbname || 'postgres',
    connectionTimeoutMillis: 5000,
  }
}
const REDIS = process.env.REGCORE_TEST_REDIS || 'redis://127.0.0.1:6379/0'
const CLUSTER = process.env.REGCORE_TEST_REDIS_CLUSTER || 'redis://127.0.0.1:7001'

const skip = process.env.REGCORE_STORE_TESTS === 'skip'

let counter = 0
const uniquePrefix = () => `n${process.pid}_${counter++}_${crypto.randomBytes(3).toString('hex')}`

function policyOf(p) {
  if (typeof p === 'string') {
    const camel = p.replace(/_([a-z])/g, (_, c) => c.toUpperCase())
    return rc.LockoutPolicy[camel]()
  }
  return rc.LockoutPolicy.fixed(p.fixed[0], p.fixed[1])
}
const codePolicyOf = (name) => rc.CodePolicy[name.replace(/_([a-z])/g, (_, c) => c.toUpperCase())]()
const sessionPolicyOf = (name) => rc.SessionPolicy[name.replace(/_([a-z])/g, (_, c) => c.toUpperCase())]()
const master = () => new rc.MasterSecret(1, MASTER_BYTES)
const secret = () => new rc.CodeSecret(SECRET_BYTES)
const terminal = (i) => (0x0123456789ab0000n + BigInt(i)).toString(16).toUpperCase().padStart(16, '0')

/** Open a store for a spec `{ kind, target, prefix }`; `{ store, close }`. */
async function openStore(spec, { poolSize = 2, retry } = {}) {
  const { SQLiteStore, PostgresStore, RedisStore } = storeLib
  if (spec.kind === 'sqlite') {
    const store = new SQLiteStore(spec.target, { prefix: spec.prefix, retry })
    return { store, close: async () => store.close() }
  }
  if (spec.kind === 'postgres') {
    const { Pool } = require('pg')
    const pool = new Pool({ ...pgConfig(spec.target), max: poolSize })
    pool.on('error', () => {})
    return { store: new PostgresStore(pool, { prefix: spec.prefix, retry }), close: () => pool.end(), pool }
  }
  if (spec.kind === 'redis' || spec.kind === 'cluster') {
    const client = await redisClient(spec.kind)
    return { store: new RedisStore(client, { prefix: spec.prefix, retry }), close: () => client.close(), client }
  }
  throw new Error(spec.kind)
}

async function redisClient(kind) {
  const redis = require('redis')
  const client =
    kind === 'cluster' ? redis.createCluster({ rootNodes: [{ url: CLUSTER }] }) : redis.createClient({ url: REDIS })
  client.on('error', () => {})
  try {
    await client.connect()
  } catch (e) {
    throw new Error(`Redis ${kind} not reachable: ${e.message}; ${START_HINT}`)
  }
  return client
}

async function redisNodes(client, kind) {
  if (kind !== 'cluster') return [client]
  return Promise.all(client.masters.map((m) => client.nodeClient(m)))
}

/** Per test file: a database of our own, created once, dropped at the end. */
class Fixtures {
  constructor(tmpName) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `regcore-node-${tmpName}-`))
    this.database = null
    this.specs = []
  }

  async pgDatabase() {
    if (this.database) return this.database
    const { Client } = require('pg')
    const admin = new Client(pgConfig())
    try {
      await admin.connect()
    } catch (e) {
      throw new Error(`PostgreSQL not reachable: ${e.message}; ${START_HINT}`)
    }
    const name = `regcore_node_test_${process.pid}`
    await admin.query(`DROP DATABASE IF EXISTS ${name}`)
    await admin.query(`CREATE DATABASE ${name}`)
    await admin.end()
    this.database = name
    return name
  }

  /** A fresh, migrated store of that kind (own prefix). */
  async spec(kind) {
    const prefix = uniquePrefix()
    let spec
    if (kind === 'sqlite') spec = { kind, target: path.join(this.dir, `${prefix}.sqlite3`), prefix }
    else if (kind === 'postgres') spec = { kind, target: await this.pgDatabase(), prefix }
    else spec = { kind, target: kind === 'cluster' ? CLUSTER : REDIS, prefix }
    if (kind === 'sqlite' || kind === 'postgres') {
      const { store, close } = await openStore(spec)
      await store.migrate()
      await close()
    }
    this.specs.push(spec)
    return spec
  }

  async cleanup() {
    for (const spec of this.specs) {
      if (spec.kind !== 'redis' && spec.kind !== 'cluster') continue
      const client = await redisClient(spec.kind)
      for (const node of await redisNodes(client, spec.kind)) {
        for await (const keys of node.scanIterator({ MATCH: `${spec.prefix}:*`, COUNT: 1000 })) {
          for (const k of [].concat(keys)) await client.del(k)
        }
      }
      await client.close()
    }
    if (this.database) {
      const { Client } = require('pg')
      const admin = new Client(pgConfig())
      await admin.connect()
      await admin.query(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`)
      await admin.end()
    }
    fs.rmSync(this.dir, { recursive: true, force: true })
  }
}

/**
 * Fork `processes` workers (store-worker.js), each opening its own store,
 * all meeting at barriers; returns each worker's result, in order.
 * `onBarrier(n)` runs in the parent when the n-th barrier opens.
 */
function runWorkers(processes, task, argsOf, { timeoutMs = 150_000, onStart } = {}) {
  return new Promise((resolve, reject) => {
    const children = []
    const results = new Array(processes)
    let waiting = 0
    let done = 0
    let failed = false
    const timer = setTimeout(() => fail(new Error(`workers of ${task} did not finish in time`)), timeoutMs)
    function fail(err) {
      if (failed) return
      failed = true
      clearTimeout(timer)
      for (const c of children) c.kill('SIGKILL')
      reject(err)
    }
    for (let i = 0; i < processes; i++) {
      const child = fork(path.join(__dirname, 'store-worker.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
      children.push(child)
      child.on('message', (msg) => {
        if (msg.type === 'barrier') {
          waiting += 1
          if (waiting === processes) {
            waiting = 0
            if (onStart) {
              onStart()
              onStart = null
            }
            for (const c of children) c.send({ type: 'go' })
          }
        } else if (msg.type === 'result') {
          results[i] = msg.result
          done += 1
          if (done === processes) {
            clearTimeout(timer)
            resolve(results)
          }
        } else if (msg.type === 'error') {
          fail(new Error(`worker ${i}: ${msg.error}`))
        }
      })
      child.on('exit', (code) => {
        if (results[i] === undefined && !failed) fail(new Error(`worker ${i} exited with ${code}`))
      })
      child.send({ type: 'start', task, args: argsOf(i), index: i })
    }
  })
}

function tally(values) {
  const out = {}
  for (const v of values) out[v] = (out[v] || 0) + 1
  return out
}

module.exports = {
  SCENARIOS,
  T0,
  SECRET_BYTES,
  MASTER_BYTES,
  REDIS,
  CLUSTER,
  skip,
  uniquePrefix,
  policyOf,
  codePolicyOf,
  sessionPolicyOf,
  master,
  secret,
  terminal,
  openStore,
  redisClient,
  redisNodes,
  pgConfig,
  Fixtures,
  runWorkers,
  tally,
}
