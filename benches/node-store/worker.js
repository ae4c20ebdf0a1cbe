'use strict'
// One benchmark process: its own connection, a barrier, then a timed loop.
const path = require('node:path')
const NODE = path.join(__dirname, '..', '..', 'bindings-node')
const h = require(path.join(NODE, '__test__', 'store-helpers.js'))
const rc = require(NODE)
const { Admitted } = require(path.join(NODE, 'store'))
const need = (m) => require(path.join(NODE, 'node_modules', m))

let go
process.on('message', (m) => {
  if (m.type === 'go') go()
  if (m.type === 'start') {
    main(m.config).then(
      (r) => process.send({ type: 'done', ...r }, () => process.exit(0)),
      (e) => process.send({ type: 'error', error: String(e && e.stack) }, () => process.exit(1)),
    )
  }
})
const barrier = () => new Promise((r) => { go = r; process.send({ type: 'ready' }) })

/** `{ attempt(key) -> Promise, failedLogin(key, check) -> Promise, conflicts(), close() }` */
async function open(spec, concurrent) {
  if (spec.kind.startsWith('rlf')) {
    const rlf = need('rate-limiter-flexible')
    let limiter
    let close
    if (spec.kind === 'rlf-redis') {
      const client = await h.redisClient('redis')
      limiter = new rlf.RateLimiterRedis({ storeClient: client, useRedisPackage: true, keyPrefix: spec.prefix, points: 1e9, duration: 900 })
      close = () => client.close()
    } else {
      const { Pool } = need('pg')
      const pool = new Pool({ ...h.pgConfig(spec.target), max: Math.max(1, Math.min(concurrent, 4)) })
      limiter = new rlf.RateLimiterPostgres({ storeClient: pool, tableName: `${spec.prefix}_rlf`, tableCreated: true, clearExpiredByTimeout: false, keyPrefix: spec.prefix, points: 1e9, duration: 900 })
      close = () => pool.end()
    }
    // Brute-force recipe from its documentation ("login endpoint
    // protection"): read the failures, check the password unless blocked,
    // consume a point on a wrong password.
    const failedLogin = async (key, check) => {
      const res = await limiter.get(key)
      if (res !== null && res.consumedPoints >= 5) return 'blocked'
      if (!(await check())) await limiter.consume(key)
      return 'checked'
    }
    return { attempt: (key) => limiter.consume(key), failedLogin, conflicts: () => 0, close }
  }
  const { store, close } = await h.openStore(spec, { poolSize: Math.max(1, Math.min(concurrent, 4)) })
  const never = rc.LockoutPolicy.fixed(1_000_000_000, 1)
  const ups = rc.LockoutPolicy.upsSite()
  return {
    attempt: async (key) => {
      const a = await store.lockoutAdmit(key, never)
      if (!(a instanceof Admitted)) throw new Error('refused')
      await store.lockoutSettle(a, false)
    },
    failedLogin: (key, check) => store.login(key, ups, check),
    conflicts: () => store.stats.conflicts,
    close,
  }
}

async function main(config) {
  const s = await open(config.spec, config.concurrent || 1)
  try {
    await barrier()
    if (config.mode === 'burst') {
      let checks = 0
      await Promise.all(Array.from({ length: config.concurrent }, () => s.failedLogin(config.key, async () => { checks += 1; return false })))
      return { checks }
    }
    const latencies = []
    let ops = 0
    let errors = 0
    const end = performance.now() + config.seconds * 1000
    while (performance.now() < end) {
      const key = config.keys === 'hot' ? `hot-${config.tag}` : `k-${config.tag}-${config.index}-${ops}`
      const t = performance.now()
      try {
        await s.attempt(key)
        ops += 1
        latencies.push(performance.now() - t)
      } catch (e) {
        errors += 1
        if (errors > 1000) throw e
      }
    }
    return { ops, latencies, conflicts: s.conflicts(), errors }
  } finally {
    await s.close()
  }
}
