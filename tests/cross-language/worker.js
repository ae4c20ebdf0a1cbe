'use strict'
// One Node worker of the cross-language burst: opens its own store, waits for
// the barrier file, makes `attempts` simultaneous wrong logins and prints
// how many password checks ran.
const fs = require('node:fs')
const path = require('node:path')
const root = path.join(__dirname, '..', '..', 'bindings-node')
const rc = require(root)
const { SQLiteStore, PostgresStore, RedisStore } = require(path.join(root, 'store'))

function pgConfig(conninfo) {
  const kv = Object.fromEntries(conninfo.split(/\s+/).filter(Boolean).map((p) => p.split('=')))
  return { host: kv.host, port: Number(kv.port || 5432), user: kv.user, database: kv.dbname }
}

async function openStore(kind, target, prefix) {
  if (kind === 'sqlite') return { store: new SQLiteStore(target, { prefix }), close: async () => {} }
  if (kind === 'postgres') {
    const pg = require(require.resolve('pg', { paths: [root] }))
    const client = new pg.Client(pgConfig(target))
    await client.connect()
    return { store: new PostgresStore(client, { prefix }), close: () => client.end() }
  }
  const redis = require(require.resolve('redis', { paths: [root] }))
  const client = redis.createClient({ url: target })
  await client.connect()
  return { store: new RedisStore(client, { prefix }), close: () => client.quit() }
}

async function main() {
  const [kind, target, prefix, key, barrier, attempts] = process.argv.slice(2)
  const { store, close } = await openStore(kind, target, prefix)
  const policy = rc.LockoutPolicy.upsSite()
  let checks = 0
  const errors = []
  process.stdout.write('ready\n')
  const giveUp = Date.now() + 120_000 // the orchestrator died: do not linger
  while (!fs.existsSync(barrier)) {
    if (Date.now() > giveUp) throw new Error('no barrier within 120 s')
    await new Promise((r) => setTimeout(r, 1))
  }
  await Promise.all(
    Array.from({ length: Number(attempts) }, async () => {
      try {
        const result = await store.login(key, policy, () => {
          checks += 1
          return false
        })
        if (result.ok) errors.push('a wrong password logged in')
      } catch (e) {
        errors.push(`${e && e.code} ${e && e.message}`)
      }
    }),
  )
  process.stdout.write(JSON.stringify({ lang: 'node', checks, errors }) + '\n')
  await close()
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stdout.write(JSON.stringify({ lang: 'node', checks: 0, errors: [String(e && e.stack)] }) + '\n')
    process.exit(1)
  },
)
