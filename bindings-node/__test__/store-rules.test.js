'use strict'
// Boundaries, clocks, schema, coded errors, Redis specifics, and one
// database shared with the Python store layer.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const rc = require('../index.js')
const storeLib = require('../store')
const h = require('./store-helpers')

const { Admitted, RetryPolicy } = storeLib
const ALL = ['sqlite', 'postgres', 'redis', 'cluster']
const SQL = ['sqlite', 'postgres']
const MS = 1
const fx = new h.Fixtures('rules')
test.after(() => fx.cleanup())

function coded(code, kind) {
  return (e) => {
    assert.equal(e.name, 'RegcoreError', String(e))
    assert.equal(e.code, code, `${e.code}: ${e.message}`)
    if (kind) assert.equal(e.kind, kind)
    assert.ok(e.message && e.messageJa)
    return true
  }
}

async function opened(kind, body, options) {
  const spec = await fx.spec(kind)
  const { store, close } = await h.openStore(spec, options)
  try {
    return await body(store, spec)
  } finally {
    await close()
  }
}

test('core builds every store error; checkStorePrefix is core\'s rule', () => {
  const cases = [
    [rc.storeContended('lockout.admit', 3), 'store.contended', 'store_contended', { operation: 'lockout.admit', attempts: '3' }],
    [rc.storeUnavailable('redis', 'code.issue'), 'store.unavailable', 'store_unavailable', { store: 'redis', operation: 'code.issue' }],
    [rc.storeDriverMissing('pg', 'pg'), 'store.driver_missing', 'configuration', { driver: 'pg', extra: 'pg' }],
    [rc.storeUnsupported('redis', 'ledger'), 'store.unsupported', 'configuration', { store: 'redis', feature: 'ledger' }],
    [rc.storeSchemaMismatch(0, 1), 'store.schema_mismatch', 'configuration', { found: '0', expected: '1' }],
    [rc.storeInvalidPrefix('A-b'), 'store.invalid_prefix', 'configuration', { prefix: 'A-b' }],
    [rc.storeTransactionOpen('sqlite'), 'store.transaction_open', 'configuration', { store: 'sqlite' }],
  ]
  for (const [err, code, kind, params] of cases) {
    assert.ok(err instanceof Error)
    assert.equal(err.name, 'RegcoreError')
    assert.equal(err.code, code)
    assert.equal(err.kind, kind)
    assert.deepEqual({ ...err.params }, params)
    assert.ok(err.message.length > 0 && err.messageJa.length > 0)
  }
  assert.throws(() => rc.storeContended('x', -1), coded('binding.integer_out_of_range'))
  assert.throws(() => rc.storeSchemaMismatch(0.5, 1), coded('binding.invalid_integer'))
  rc.checkStorePrefix('regcore_2')
  for (const bad of ['', '1abc', 'Abc', 'a-b', 'a;drop table x', 'a b', 'ａ', 'a'.repeat(33)]) {
    assert.throws(() => rc.checkStorePrefix(bad), coded('store.invalid_prefix', 'configuration'))
  }
})

test('migrations come from core, not a copy', () => {
  assert.deepEqual(storeLib.migrations(), rc.schemaMigrations())
  assert.equal(Math.max(...storeLib.migrations().map((m) => m.version)), rc.SCHEMA_VERSION)
})

for (const kind of ALL) {
  test(`${kind}: code expiry at the boundary; nothing stored -> null`, { skip: h.skip }, () =>
    opened(kind, async (store) => {
      const policy = rc.CodePolicy.passwordReset()
      const code = await store.codeIssue(policy, h.secret(), 's', h.T0)
      const state = await store.codeState('password_reset', 's')
      const end = policy.expiresAt(state).getTime()
      const atEnd = await store.codeVerify(policy, h.secret(), 's', code.code, new Date(end))
      assert.equal(atEnd.rejection.code, 'code.expired')
      const before = await store.codeVerify(policy, h.secret(), 's', code.code, new Date(end - MS))
      assert.equal(before.ok, true)
      assert.equal(await store.codeVerify(policy, h.secret(), 'nobody', '123456', h.T0), null)
    }))

  test(`${kind}: session idle boundary, deletion on expiry, revoke`, { skip: h.skip }, () =>
    opened(kind, async (store) => {
      const policy = rc.SessionPolicy.upsSite()
      const idle = policy.idleTimeoutSecs * 1000
      await store.sessionStart('a', policy, h.T0)
      const touched = await store.sessionTouch('a', policy, new Date(h.T0.getTime() + idle - MS))
      assert.equal(touched.status, 'active')
      const late = await store.sessionTouch('a', policy, new Date(h.T0.getTime() + 2 * idle - MS))
      assert.equal(late.status, 'idle_expired')
      assert.equal(await store.sessionTouch('a', policy, h.T0), null) // deleted when it expired
      await store.sessionStart('b', policy, h.T0)
      assert.equal(await store.sessionRevoke('b'), true)
      assert.equal(await store.sessionTouch('b', policy, h.T0), null)
    }))

  test(`${kind}: lockout boundary and a clock going backwards between two servers`, { skip: h.skip }, async () => {
    const spec = await fx.spec(kind)
    const a = await h.openStore(spec)
    const b = await h.openStore(spec)
    try {
      const policy = rc.LockoutPolicy.upsSite()
      for (let i = 0; i < 5; i++) {
        const admitted = await a.store.lockoutAdmit('k', policy, h.T0)
        assert.ok(admitted instanceof Admitted)
        await a.store.lockoutSettle(admitted, false, h.T0)
      }
      const refused = await a.store.lockoutAdmit('k', policy, new Date(h.T0.getTime() + 1000 - MS))
      assert.equal(refused.allowed, false)
      assert.equal(refused.error.code, 'lockout.locked')
      // Server B's clock is 10 minutes behind: never unlocked early there...
      const behind = h.T0.getTime() - 600_000
      const there = await b.store.lockoutAdmit('k', policy, new Date(behind))
      assert.equal(there.allowed, false)
      assert.equal(there.retryAfterSecs, 1)
      assert.equal((await b.store.lockoutAdmit('k', policy, new Date(behind + 1000 - MS))).allowed, false)
      // ...and never locked forever on either clock.
      assert.ok((await b.store.lockoutAdmit('k', policy, new Date(behind + 1000))) instanceof Admitted)
      assert.equal((await a.store.lockoutState('k')).failures, 6)
    } finally {
      await a.close()
      await b.close()
    }
  })
}

for (const kind of SQL) {
  test(`${kind}: the schema is explicit and versioned`, { skip: h.skip }, async () => {
    const spec = await fx.spec(kind)
    const fresh = { ...spec, prefix: h.uniquePrefix() } // never migrated
    const { store, close } = await h.openStore(fresh)
    try {
      assert.equal(await store.schemaVersion(), 0)
      await assert.rejects(store.lockoutState('x'), (e) => {
        coded('store.schema_mismatch', 'configuration')(e)
        assert.deepEqual({ ...e.params }, { found: '0', expected: String(rc.SCHEMA_VERSION) })
        return true
      })
      assert.equal(await store.schemaVersion(), 0) // nothing created behind our back
      assert.equal(await store.migrate(), rc.SCHEMA_VERSION)
      assert.equal(await store.schemaVersion(), rc.SCHEMA_VERSION)
      assert.equal(await store.migrate(), rc.SCHEMA_VERSION) // idempotent
      assert.equal((await store.lockoutState('x')).failures, 0)
    } finally {
      await close()
    }
  })
}

test('an invalid prefix is refused before any SQL or Redis command', { skip: h.skip }, async () => {
  const file = path.join(fx.dir, 'prefix.db')
  for (const prefix of ['', '1abc', 'Abc', 'a-b', 'a;drop table x', 'a b', 'ａ', 'a'.repeat(33)]) {
    assert.throws(() => new storeLib.SQLiteStore(file, { prefix }), coded('store.invalid_prefix', 'configuration'))
    assert.throws(() => new storeLib.RedisStore({ get() {}, evalSha() {}, eval() {} }, { prefix }), coded('store.invalid_prefix'))
  }
})

test('sqlite: purgeExpired deletes only what no longer matters', { skip: h.skip }, () =>
  opened('sqlite', async (store) => {
    const sessions = rc.SessionPolicy.upsSite()
    await store.sessionStart('old', sessions, h.T0)
    await store.sessionStart('new', sessions, new Date(h.T0.getTime() + 3600_000))
    await store.codeIssue(rc.CodePolicy.passwordReset(), h.secret(), 'u', h.T0)
    assert.equal(await store.purgeExpired(new Date(h.T0.getTime() + 31 * 60_000)), 1)
    assert.notEqual(await store.sessionTouch('new', sessions, new Date(h.T0.getTime() + 3600_000)), null)
    assert.notEqual(await store.codeState('password_reset', 'u'), null)
    assert.equal(await store.purgeExpired(new Date(h.T0.getTime() + 3 * 86_400_000)), 2)
  }))

test('postgres: a Client inside an open transaction is refused; an idle one works', { skip: h.skip }, async () => {
  const spec = await fx.spec('postgres')
  const { Client } = require('pg')
  const client = new Client(h.pgConfig(spec.target))
  await client.connect()
  try {
    await client.query('BEGIN')
    const store = new storeLib.PostgresStore(client, { prefix: spec.prefix })
    await assert.rejects(store.lockoutState('k'), coded('store.transaction_open', 'configuration'))
    await client.query('ROLLBACK')
    assert.ok((await store.lockoutAdmit('k', rc.LockoutPolicy.upsSite(), h.T0)) instanceof Admitted)
    const other = await h.openStore(spec)
    assert.equal((await other.store.lockoutState('k')).failures, 1) // committed, visible to others
    await other.close()
  } finally {
    await client.end()
  }
})

test('sqlite: a Database inside an open transaction is refused', { skip: h.skip }, async () => {
  const spec = await fx.spec('sqlite')
  const Database = require('better-sqlite3')
  const db = new Database(spec.target)
  db.exec('BEGIN')
  await assert.rejects(new storeLib.SQLiteStore(db, { prefix: spec.prefix }).lockoutState('k'), coded('store.transaction_open', 'configuration'))
  db.exec('ROLLBACK')
  db.close()
})

test('a lost connection is store.unavailable, with the driver error as cause and no secret in params', { skip: h.skip }, async () => {
  const spec = await fx.spec('postgres')
  const { Client } = require('pg')
  const client = new Client(h.pgConfig(spec.target))
  await client.connect()
  const store = new storeLib.PostgresStore(client, { prefix: spec.prefix })
  await store.lockoutState('k')
  await client.end() // the connection is gone
  await assert.rejects(store.lockoutAdmit('k', rc.LockoutPolicy.upsSite(), h.T0), (e) => {
    coded('store.unavailable', 'store_unavailable')(e)
    assert.deepEqual({ ...e.params }, { store: 'postgres', operation: 'lockout.admit' })
    assert.ok(e.cause instanceof Error)
    return true
  })

  const { Pool } = require('pg')
  const dead = new Pool({ host: '127.0.0.1', port: 1, user: 'postgres', connectionTimeoutMillis: 500 })
  await assert.rejects(
    new storeLib.PostgresStore(dead, { prefix: 'x' }).lockoutState('k'),
    coded('store.unavailable', 'store_unavailable'),
  )
  await dead.end()

  const redis = require('redis')
  const closed = redis.createClient({ url: 'redis://127.0.0.1:6379/0' })
  const rstore = new storeLib.RedisStore(closed, { prefix: 'x' }) // never connected
  await assert.rejects(rstore.codeIssue(rc.CodePolicy.passwordReset(), h.secret(), 'u', h.T0), (e) => {
    coded('store.unavailable', 'store_unavailable')(e)
    assert.ok(!JSON.stringify(e.params).includes('redis://'))
    return true
  })
})

test('redis: contention beyond the budget is store.contended and records nothing', { skip: h.skip }, async () => {
  const spec = await fx.spec('redis')
  const client = await h.redisClient('redis')
  const key = `${spec.prefix}:lockout:{k}`
  let n = 0
  // A second writer that always gets in between (a real Redis write).
  const interfering = {
    get: (k) => client.get(k),
    eval: (s, o) => client.eval(s, o),
    evalSha: async (sha, o) => {
      n += 1
      await client.set(key, rc.encodeLockoutState({ failures: n, lockedUntil: null, lastAttempt: null }))
      return client.evalSha(sha, o)
    },
  }
  const store = new storeLib.RedisStore(interfering, { prefix: spec.prefix, retry: new RetryPolicy({ attempts: 3 }) })
  await assert.rejects(store.lockoutAdmit('k', rc.LockoutPolicy.fixed(1_000_000, 1), h.T0), (e) => {
    coded('store.contended', 'store_contended')(e)
    assert.deepEqual({ ...e.params }, { operation: 'lockout.admit', attempts: '3' })
    return true
  })
  // Only the other writer's: 4 of its writes, for the protocol's first
  // compare-and-set guesses the key absent (one round trip on a fresh key),
  // and losing that guess is no conflict: one extra, uncounted CAS.
  assert.equal(rc.decodeLockoutState(await client.get(key)).failures, 4)
  assert.equal(store.stats.contended, 1)
  await client.close()
})

test('a missing driver throws store.driver_missing naming the package', () => {
  const script = `
    const Module = require('module')
    const orig = Module._resolveFilename
    Module._resolveFilename = function (req, ...rest) {
      if (req === 'pg' || req === 'redis' || req === 'better-sqlite3') { const e = new Error('Cannot find module ' + req); e.code = 'MODULE_NOT_FOUND'; throw e }
      return orig.call(this, req, ...rest)
    }
    const s = require(${JSON.stringify(path.join(__dirname, '..', 'store'))})
    const out = []
    for (const make of [() => new s.PostgresStore({}), () => new s.RedisStore({}), () => new s.SQLiteStore(${JSON.stringify(path.join(fx.dir, 'driver-missing.db'))})]) {
      try { make(); out.push(null) } catch (e) { out.push({ code: e.code, kind: e.kind, params: { ...e.params } }) }
    }
    console.log(JSON.stringify(out))
  `
  const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }))
  assert.deepEqual(out, [
    { code: 'store.driver_missing', kind: 'configuration', params: { driver: 'pg', extra: 'pg' } },
    { code: 'store.driver_missing', kind: 'configuration', params: { driver: 'redis', extra: 'redis' } },
    { code: 'store.driver_missing', kind: 'configuration', params: { driver: 'better-sqlite3', extra: 'better-sqlite3' } },
  ])
})

for (const kind of ['redis', 'cluster']) {
  test(`${kind}: every ledger method, migrate, schemaVersion and purgeExpired are refused with store.unsupported`, { skip: h.skip }, () =>
    opened(kind, async (store) => {
      const key = h.master().activationAuthority().mint(1, 1)
      const request = new rc.IssuanceRequest(h.terminal(0), [key])
      const refused = [
        ['ledger', () => store.ledgerIssue(h.master(), request)],
        ['ledger', () => store.ledgerRebind(h.master(), key.number, h.terminal(1), 'admin', 'moved')],
        ['ledger', () => store.ledgerBindings()],
        ['ledger', () => store.ledgerByMprId(h.terminal(0))],
        ['ledger', () => store.ledgerByActivationNumber(key.number)],
        ['ledger', () => store.ledgerRebinds()],
        ['ledger', () => store.ledgerHistory({ utcOffsetMinutes: 540 })],
        ['ledger', () => store.ledgerHistoryCsv()],
        ['ledger', () => store.ledgerDailyCounts()],
        ['migrations', () => store.migrate()],
        ['migrations', () => store.schemaVersion()],
        ['purge_expired', () => store.purgeExpired()],
      ]
      for (const [feature, call] of refused) {
        await assert.rejects(call(), (e) => {
          coded('store.unsupported', 'configuration')(e)
          assert.deepEqual({ ...e.params }, { store: 'redis', feature })
          return true
        })
      }
    }))
}

test('cluster: one hash-tagged key per operation, with a TTL from the policy', { skip: h.skip }, () =>
  opened('cluster', async (store, spec) => {
    await store.codeIssue(rc.CodePolicy.signUp(), h.secret(), 'a{b}c@example.jp', h.T0)
    const client = await h.redisClient('cluster')
    const keys = []
    for (const node of await h.redisNodes(client, 'cluster')) {
      for await (const batch of node.scanIterator({ MATCH: `${spec.prefix}:*` })) keys.push(...[].concat(batch))
    }
    assert.equal(keys.length, 1)
    assert.ok(keys[0].startsWith(`${spec.prefix}:code:{sign_up`), keys[0])
    const ttl = await client.pTTL(keys[0])
    assert.ok(ttl > 0 && ttl <= 48 * 3600 * 1000, String(ttl))
    await client.close()
  }))

test('cluster: 200 random keys, some starting with } and holding braces, admit and settle on the 3-master cluster', { skip: h.skip }, () =>
  opened('cluster', async (store, spec) => {
    const crypto = require('node:crypto')
    const policy = rc.LockoutPolicy.upsSite()
    const alphabet = ['{', '}', '%', 'a', 'b', '7', '@', '.', '\x1f', 'é', '{}', '}{', '%7B']
    const keys = new Set(['}', '}}', '}{', '{', '{}', '}x{', '%7D', 'a{b}c'])
    while (keys.size < 200) {
      const n = 1 + crypto.randomInt(12)
      let key = crypto.randomInt(3) === 0 ? '}' : ''
      for (let i = 0; i < n; i++) key += alphabet[crypto.randomInt(alphabet.length)]
      keys.add(key)
    }
    const admitted = new Map()
    for (const key of keys) {
      const a = await store.lockoutAdmit(key, policy, h.T0)
      assert.ok(a instanceof Admitted, key)
      assert.equal(a.state.failures, 1)
      admitted.set(key, a)
    }
    // Each key is its own hash tag: one Redis key per user key, spread over
    // the masters (counted before the settles: a settled state may expire
    // within a second, as it matters no more).
    const client = await h.redisClient('cluster')
    const perNode = []
    for (const node of await h.redisNodes(client, 'cluster')) {
      let n = 0
      for await (const batch of node.scanIterator({ MATCH: `${spec.prefix}:*`, COUNT: 1000 })) n += [].concat(batch).length
      perNode.push(n)
    }
    await client.close()
    assert.equal(perNode.reduce((a, b) => a + b, 0), keys.size)
    for (const [key, a] of admitted) {
      const settled = await store.lockoutSettle(a, true, h.T0)
      assert.equal(settled.failures, 0, key)
      assert.equal((await store.lockoutState(key)).failures, 0, key)
    }
    assert.ok(perNode.filter((n) => n > 0).length >= 2, JSON.stringify(perNode))
  }))

for (const kind of ALL) {
  test(`${kind}: lockoutReset forgets the state of one key`, { skip: h.skip }, () =>
    opened(kind, async (store) => {
      const policy = rc.LockoutPolicy.upsSite()
      for (let i = 0; i < 3; i++) await store.lockoutSettle(await store.lockoutAdmit('r', policy, h.T0), false, h.T0)
      await store.lockoutAdmit('other', policy, h.T0)
      assert.equal(await store.lockoutReset('r'), true)
      assert.equal((await store.lockoutState('r')).failures, 0)
      assert.equal((await store.lockoutState('other')).failures, 1)
      assert.equal(await store.lockoutReset('r'), false)
    }))
}

for (const kind of SQL) {
  test(`${kind}: ledgerHistoryCsv is core's CSV of ledgerHistory`, { skip: h.skip }, () =>
    opened(kind, async (store) => {
      const authority = h.master().activationAuthority()
      const keys = [authority.mint(0x0101, 1), authority.mint(0x0101, 2)]
      await store.ledgerIssue(h.master(), new rc.IssuanceRequest(h.terminal(0), keys), h.T0)
      await store.ledgerRebind(h.master(), keys[0].number, h.terminal(1), 'admin', 'moved', new Date(h.T0.getTime() + 60_000))
      const ledger = new rc.Ledger()
      ledger.issue(h.master(), new rc.IssuanceRequest(h.terminal(0), keys), h.T0)
      ledger.rebind(h.master(), keys[0].number, h.terminal(1), 'admin', 'moved', new Date(h.T0.getTime() + 60_000))
      for (const options of [undefined, { utcOffsetMinutes: 540 }, { days: { from: '2026-04-01', to: '2026-04-01' }, utcOffsetMinutes: -300 }]) {
        const csv = await store.ledgerHistoryCsv(options)
        assert.equal(csv, ledger.historyCsv(options))
        assert.equal(csv.trim().split('\n').length, 1 + (await store.ledgerHistory(options)).length)
      }
      assert.ok((await store.ledgerHistoryCsv()).startsWith('at,event,mpr_id,activation_number,product,registration_key'))
      await assert.rejects(store.ledgerHistoryCsv({ utcOffsetMinutes: 24 * 60 }), coded('store.invalid_utc_offset', 'invalid_input'))
    }))
}

// --- one database, two languages -------------------------------------------------

/** The Python of bindings-python/test.sh's venv (`target/py-venv` under the
 * repository root, or REGCORE_PYTHON): it must import regcore.store and
 * `modules`. Missing is a failure that says how to build it, not a skip. */
function pythonWith(modules) {
  const root = path.join(__dirname, '..', '..')
  const py = process.env.REGCORE_PYTHON || path.join(root, 'target', 'py-venv', 'bin', 'python')
  if (!fs.existsSync(py)) {
    throw new Error(`no Python at ${py}: run bindings-python/test.sh (it builds target/py-venv) or set REGCORE_PYTHON`)
  }
  try {
    execFileSync(py, ['-c', ['regcore.store', ...modules].map((m) => `import ${m}`).join('; ')], { stdio: 'pipe' })
  } catch (e) {
    throw new Error(`${py} cannot import regcore.store ${modules.join(' ')}: run bindings-python/test.sh (${String(e.stderr || e.message).trim()})`)
  }
  return py
}

for (const kind of ['sqlite', 'redis']) {
  test(`${kind}: a lockout row written by the Python store layer is read and extended by Node, and back`, { skip: h.skip }, async () => {
    const PY = pythonWith(kind === 'redis' ? ['redis'] : [])
    const spec = await fx.spec(kind)
    const open =
      kind === 'sqlite'
        ? `regcore.store.SQLiteStore(${JSON.stringify(spec.target)}, prefix=${JSON.stringify(spec.prefix)})`
        : `regcore.store.RedisStore(__import__('redis').Redis.from_url(${JSON.stringify(h.REDIS)}), prefix=${JSON.stringify(spec.prefix)})`
    const python = (body) =>
      execFileSync(PY, ['-c', `import datetime as dt, regcore, regcore.store\nstore = ${open}\nT0 = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.timezone.utc)\n${body}`], { encoding: 'utf8' }).trim()
    python(`for _ in range(3):\n    a = store.lockout_admit("shared@example.jp", regcore.LockoutPolicy.ups_site(), now=T0)\n    store.lockout_settle(a, False, now=T0)`)
    const { store, close } = await h.openStore(spec)
    try {
      assert.equal((await store.lockoutState('shared@example.jp')).failures, 3)
      const admitted = await store.lockoutAdmit('shared@example.jp', rc.LockoutPolicy.upsSite(), h.T0)
      assert.ok(admitted instanceof Admitted)
      assert.equal(admitted.state.failures, 4)
      assert.equal(python('print(store.lockout_state("shared@example.jp").failures)'), '4')
      await store.codeIssue(rc.CodePolicy.signUp(), h.secret(), 'user-1', h.T0)
      assert.equal(python('print(store.code_state("sign_up", "user-1").generation)'), '1')
    } finally {
      await close()
    }
  })
}

test('expiry and session encoding come from core (forgetAt, retainUntil, expiresAt, encodeSessionState)', () => {
  const t0 = new Date(Date.UTC(2025, 3, 1, 9, 0, 0))
  const policy = rc.LockoutPolicy.upsSite()
  let state = { failures: 0, lockedUntil: null, lastAttempt: null }
  for (let i = 0; i < 5; i++) state = policy.recordFailure(state, t0)
  assert.equal(policy.forgetAt(state).getTime(), t0.getTime() + 1000 + 15 * 60 * 1000)
  assert.equal(policy.forgetAt(policy.recordFailure({ failures: 0, lockedUntil: null, lastAttempt: null }, t0)), null)
  const two = policy.recordFailure({ failures: 0, lockedUntil: null, lastAttempt: null }, t0)
  assert.equal(policy.retainUntil(two, t0).getTime(), t0.getTime() + 90 * 86_400_000)
  assert.equal(policy.retainUntil(state, t0).getTime(), policy.forgetAt(state).getTime())
  const codes = rc.CodePolicy.passwordReset()
  const issued = codes.issue(new rc.CodeSecret(Buffer.alloc(32, 3)), 'u', null, t0)
  assert.equal(codes.retainUntil(issued.state).getTime(), t0.getTime() + (1 + 24) * 3_600_000)
  const sessions = rc.SessionPolicy.upsSite()
  const session = sessions.start(t0)
  const text = rc.encodeSessionState(session)
  assert.equal(text, `s1.${t0.getTime()}.${t0.getTime()}`)
  assert.deepEqual(rc.decodeSessionState(text), session)
  assert.equal(sessions.expiresAt(session).getTime(), t0.getTime() + 30 * 60 * 1000)
  assert.throws(() => rc.decodeSessionState('s1.x'), coded('session.malformed_state', 'stored_state'))
  assert.equal(rc.checkedDate(t0).getTime(), t0.getTime())
  for (const bad of [new Date(NaN), '2025-04-01', 0]) {
    assert.throws(() => rc.checkedDate(bad), coded('binding.invalid_date', 'invalid_input'))
  }
})
