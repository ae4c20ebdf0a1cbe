'use strict'
// Node store layer benchmark (not a test): ops/s, p50/p99 and lost races per
// store at 1, 4 and 16 worker processes, for distinct keys and one hot key,
// side by side with rate-limiter-flexible (RateLimiterRedis,
// RateLimiterPostgres) on the same servers; then a burst of 100
// simultaneous wrong attempts on one fresh account: how many reach the
// password check with each.
//
//   bash scripts/services.sh && node benches/node-store/bench.js [seconds=2] [burst]
//
// One regcore operation = one lockout attempt recorded as a failure
// (lockoutAdmit + lockoutSettle(false): one compare-and-set). One
// rate-limiter-flexible operation = `consume(key)` (one atomic increment).
const path = require('node:path')
const os = require('node:os')
const fs = require('node:fs')
const { fork } = require('node:child_process')

const NODE = path.join(__dirname, '..', '..', 'bindings-node')
const h = require(path.join(NODE, '__test__', 'store-helpers.js'))
const SECONDS = Number(process.argv[2] || 2)
const WORKERS = [1, 4, 16]
const STORES = ['sqlite', 'postgres', 'redis', 'cluster', 'rlf-redis', 'rlf-postgres']

function runWorkers(n, config) {
  return new Promise((resolve, reject) => {
    const kids = []
    const out = []
    let ready = 0
    for (let i = 0; i < n; i++) {
      const c = fork(path.join(__dirname, 'worker.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
      kids.push(c)
      c.on('message', (m) => {
        if (m.type === 'ready' && ++ready === n) for (const k of kids) k.send({ type: 'go' })
        if (m.type === 'done') {
          out.push(m)
          if (out.length === n) resolve(out)
        }
        if (m.type === 'error') reject(new Error(m.error))
      })
      c.send({ type: 'start', config: { ...config, index: i } })
    }
  })
}

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN
}

async function main() {
  const fx = new h.Fixtures('bench')
  const rows = []
  const specs = {}
  for (const kind of ['sqlite', 'postgres', 'redis', 'cluster']) specs[kind] = await fx.spec(kind)
  specs['rlf-redis'] = { kind: 'rlf-redis', prefix: h.uniquePrefix() }
  specs['rlf-postgres'] = { kind: 'rlf-postgres', target: await fx.pgDatabase(), prefix: h.uniquePrefix() }
  await createRlfTable(specs['rlf-postgres'])
  try {
    for (const store of process.argv[3] === 'burst' ? [] : STORES) {
      for (const workers of WORKERS) {
        for (const keys of ['distinct', 'hot']) {
          const res = await runWorkers(workers, { mode: 'throughput', spec: specs[store], seconds: SECONDS, keys, tag: `${workers}${keys}` })
          const lat = res.flatMap((r) => r.latencies).sort((a, b) => a - b)
          const ops = res.reduce((a, r) => a + r.ops, 0)
          const conflicts = res.reduce((a, r) => a + r.conflicts, 0)
          const row = { store, workers, keys, opsPerSec: Math.round(ops / SECONDS), p50: percentile(lat, 50), p99: percentile(lat, 99), retryRate: ops ? conflicts / ops : 0, errors: res.reduce((a, r) => a + r.errors, 0) }
          rows.push(row)
          console.log(JSON.stringify(row))
        }
      }
    }
    const burst = []
    for (const store of ['sqlite', 'postgres', 'redis', 'cluster', 'rlf-redis', 'rlf-postgres']) {
      const spec = specs[store] // a fresh key: nothing stored for it yet
      const res = await runWorkers(10, { mode: 'burst', spec, concurrent: 10, key: `burst-${Date.now()}` })
      const checks = res.reduce((a, r) => a + r.checks, 0)
      burst.push({ store, attempts: 100, passwordChecks: checks })
      console.log(JSON.stringify(burst[burst.length - 1]))
    }
    const md = table(rows, burst)
    fs.writeFileSync(path.join(os.tmpdir(), 'regcore-node-store-bench.md'), md)
    console.log('\n' + md)
  } finally {
    await fx.cleanup()
  }
}

async function createRlfTable(spec) {
  const { Pool } = require(path.join(NODE, 'node_modules', 'pg'))
  const { RateLimiterPostgres } = require(path.join(NODE, 'node_modules', 'rate-limiter-flexible'))
  const pool = new Pool({ ...h.pgConfig(spec.target), max: 1 })
  await new Promise((resolve, reject) => {
    // eslint-disable-next-line no-new
    new RateLimiterPostgres({ storeClient: pool, tableName: `${spec.prefix}_rlf`, points: 5, duration: 900, clearExpiredByTimeout: false }, (err) => (err ? reject(err) : resolve()))
  })
  await pool.end()
}

const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-')
function table(rows, burst) {
  const lines = [
    `node ${process.version}, ${os.cpus().length} cores, ${SECONDS} s per run, workers are processes`,
    '',
    '| store | workers | key | ops/s | p50 ms | p99 ms | lost races per op |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.store} | ${r.workers} | ${r.keys} | ${r.opsPerSec} | ${f(r.p50)} | ${f(r.p99)} | ${r.store.startsWith('rlf') ? 'n/a' : f(r.retryRate)}${r.errors ? ` (${r.errors} errors)` : ''} |`),
    '',
    '| 100 simultaneous wrong attempts, fresh account | password checks |',
    '|---|---|',
    ...burst.map((b) => `| ${b.store} | ${b.passwordChecks} |`),
  ]
  return lines.join('\n') + '\n'
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
