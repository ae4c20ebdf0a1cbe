'use strict'
// The store protocol at the binding boundary, with scripted replies (no
// server): what each operation sends, how many round trips the common path
// costs, and how bad input, bad options and failures come back coded. The
// twin of bindings-python/tests/test_store_protocol.py; then the executors'
// own refusals (clients, options, admissions) and a check that no protocol
// text is left in the JavaScript store layer.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const rc = require('../index.js')
const storeLib = require('../store')

const T0 = new Date(Date.UTC(2026, 3, 1, 9, 0))
const POLICY = rc.LockoutPolicy.upsSite()
const SECRET = new rc.CodeSecret(Buffer.alloc(32, 'k'))
const json = (value) => JSON.stringify(value)

function protocol(store = 'redis', retry = {}) {
  return new rc.StoreProtocol(store, 't', { attempts: 200, deadlineMs: 5000, baseDelayMs: 0.5, maxDelayMs: 20, ...retry })
}

function coded(code, kind) {
  return (e) => {
    assert.equal(e.name, 'RegcoreError', String(e && e.stack))
    assert.equal(e.code, code, `${e.code}: ${e.message}`)
    if (kind) assert.equal(e.kind, kind)
    assert.ok(e.message && e.messageJa)
    return true
  }
}

/** A SQLite protocol that has seen the schema (its first operation checks it). */
function migratedSqlite() {
  const p = protocol('sqlite')
  const op = p.lockoutState('warm')
  let step = op.resume()
  assert.equal(step.kind, 'row')
  assert.ok(step.sql.includes('sqlite_master'))
  assert.deepEqual(step.params, ['t_meta'])
  step = op.resume(json([1]))
  assert.ok(step.kind === 'row' && step.sql.includes('schema_version'))
  step = op.resume(json([rc.SCHEMA_VERSION]))
  assert.ok(step.kind === 'row' && step.sql.includes('SELECT state FROM t_lockout'), step.sql)
  assert.deepEqual(op.resume(json([null, 0, rc.SCHEMA_VERSION])), { kind: 'done' }) // [state, the server's clock, the schema version]
  assert.equal(op.lockoutResult().failures, 0)
  return p
}

test('redis: a login on a fresh key is one round trip to admit and one to settle', () => {
  const p = protocol()
  assert.deepEqual([p.store, p.prefix], ['redis', 't'])
  const admit = p.lockoutAdmit('alice', POLICY, T0)
  const step = admit.resume()
  assert.equal(step.kind, 'cas')
  assert.equal(step.key, 't:lockout:{alice}')
  const [expected, fresh, ttl, nowMs, tolerance] = step.args
  assert.equal(expected, '')
  assert.deepEqual([Number(nowMs), tolerance], [T0.getTime(), '']) // the caller's own clock, no guard
  // The value is the state and this write's token (a re-sent write finds
  // its token and counts once).
  const [state, token] = fresh.split('\x1f')
  assert.equal(rc.decodeLockoutState(state).failures, 1)
  assert.match(token, /^[0-9a-f]{16}$/)
  assert.ok(Number(ttl) >= 1000)
  assert.deepEqual(admit.resume(json([1])), { kind: 'done' })
  assert.equal(admit.admitStored(), fresh)
  const admission = admit.admitResult()
  assert.ok(admission instanceof rc.LockoutAdmission)
  assert.deepEqual([admit.replies, admit.conflicts], [1, 0])
  const settle = p.lockoutSettle('alice', POLICY, admission.success(), fresh, T0)
  const cas = settle.resume()
  assert.equal(cas.kind, 'cas')
  assert.equal(cas.args[0], fresh)
  assert.equal(settle.resume(json([1])).kind, 'done')
  assert.equal(settle.lockoutResult().failures, 0)
  assert.equal(settle.replies, 1)
})

test('sqlite: a login on a fresh key is one statement each way (after the schema check)', () => {
  const p = migratedSqlite()
  const admit = p.lockoutAdmit('bob', POLICY, T0)
  const step = admit.resume()
  assert.equal(step.kind, 'count')
  assert.ok(step.sql.startsWith('INSERT INTO t_lockout') && step.sql.includes('ON CONFLICT DO NOTHING'), step.sql)
  assert.equal(admit.resume(json(1)).kind, 'done')
  assert.equal(admit.replies, 1)
  const stored = admit.admitStored()
  const settle = p.lockoutSettle('bob', POLICY, admit.admitResult().success(), stored, T0)
  const update = settle.resume()
  assert.ok(update.kind === 'count' && update.sql.startsWith('UPDATE t_lockout'), update.sql)
  assert.ok(update.params.includes(stored))
  assert.equal(settle.resume(json(1)).kind, 'done')
  assert.equal(settle.replies, 1)
})

test('sqlite: a lost guess reads, decides and writes under the write lock', () => {
  const p = migratedSqlite()
  const admit = p.lockoutAdmit('carol', POLICY, T0)
  admit.resume()
  let step = admit.resume(json(0)) // the row exists: the guess "absent" was wrong
  assert.deepEqual([step.kind, step.sql], ['count', 'BEGIN IMMEDIATE'])
  step = admit.resume(json(0))
  assert.ok(step.kind === 'row' && step.sql.includes('SELECT state FROM t_lockout'))
  const held = rc.encodeLockoutState({ failures: 2, lockedUntil: null, lastAttempt: null })
  step = admit.resume(json([held, 0, rc.SCHEMA_VERSION]))
  assert.ok(step.kind === 'count' && step.sql.startsWith('UPDATE'))
  assert.ok(step.params.includes(held))
  assert.deepEqual([admit.resume(json(1)).sql], ['COMMIT'])
  assert.equal(admit.resume(json(0)).kind, 'done')
  assert.equal(admit.admitResult().state.failures, 3)
  assert.equal(admit.conflicts, 0)
})

test('postgres: statements use pg placeholders; BIGINT as text is read', () => {
  const p = protocol('postgres')
  const op = p.sessionStart('s', rc.SessionPolicy.upsSite(), T0)
  const step = op.resume()
  assert.equal(step.kind, 'row')
  assert.equal(step.sql, 'SELECT CAST(to_regclass($1) IS NOT NULL AS INTEGER)')
  const version = op.resume(json([1]))
  assert.equal(version.kind, 'row')
  assert.equal(op.resume(json([String(rc.SCHEMA_VERSION)])).kind, 'count') // pg gives BIGINT as a string
})

test('a write whose reply was lost is store.outcome_unknown and never re-sent; unreachable is store.unavailable', () => {
  const p = protocol()
  let op = p.lockoutAdmit('dave', POLICY, T0)
  op.resume()
  assert.throws(() => op.fail('unavailable'), (e) => {
    coded('store.outcome_unknown', 'store_unavailable')(e)
    assert.match(e.message, /may have been recorded/)
    return true
  })
  op = p.lockoutAdmit('dave', POLICY, T0)
  op.resume()
  assert.throws(() => op.fail('unreachable'), coded('store.unavailable', 'store_unavailable'))
})

test('a failed read is retried three times, then store.unavailable', () => {
  const p = protocol()
  const op = p.codeVerify(rc.CodePolicy.signUp(), SECRET, 'u@example.jp', '123456', T0)
  let step = op.resume()
  assert.equal(step.kind, 'get')
  for (let i = 0; i < 3; i++) {
    step = op.fail('unavailable')
    assert.equal(step.kind, 'sleep')
    assert.ok(step.ms >= 0 && step.ms <= 20)
    step = op.resume(json(1))
    assert.equal(step.kind, 'get')
  }
  assert.throws(() => op.fail('unavailable'), coded('store.unavailable', 'store_unavailable'))
})

test('a lost compare-and-set retries on the winner, then gives up store.contended', () => {
  const p = protocol('redis', { attempts: 3 })
  const op = p.sessionTouch('s', rc.SessionPolicy.upsSite(), new Date(T0.getTime() + 60_000))
  assert.equal(op.resume().kind, 'get')
  const live = rc.encodeSessionState(rc.SessionPolicy.upsSite().start(T0))
  let step = op.resume(json(live))
  assert.equal(step.kind, 'cas')
  for (let i = 0; i < 2; i++) {
    step = op.resume(json([0, live])) // another writer got in: retry on its value
    if (step.kind === 'sleep') {
      step = op.resume(json(1))
      assert.equal(step.kind, 'get')
      step = op.resume(json(live))
    }
    assert.equal(step.kind, 'cas')
  }
  assert.throws(() => op.resume(json([0, live])), (e) => {
    coded('store.contended', 'store_contended')(e)
    assert.deepEqual({ ...e.params }, { operation: 'session.touch', attempts: '3' })
    return true
  })
  assert.equal(op.conflicts, 3)
})

test('the deadline ends the retries', () => {
  const p = protocol('redis', { deadlineMs: 10 })
  const op = p.sessionRevoke('s')
  op.resume()
  op.resume(json('s1.1.1'))
  op.resume(json([0, 's1.1.2'])) // lost; retried at once on the winner
  const step = op.resume(json([0, 's1.1.3'])) // lost again: backoff
  assert.equal(step.kind, 'sleep')
  assert.throws(() => op.resume(json(20)), coded('store.contended')) // slept past the deadline
})

test('bad keys are invalid input before any I/O', () => {
  const p = protocol()
  const cases = [
    ['', 'store.invalid_key'],
    ['a\0b', 'store.invalid_key'],
    ['é'.repeat(257), 'store.invalid_key'],
    ['\ud800', 'binding.invalid_string'],
    [42, 'binding.invalid_string'],
  ]
  for (const [key, code] of cases) {
    const calls = [
      () => p.lockoutAdmit(key, POLICY, T0),
      () => p.lockoutReset(key),
      () => p.lockoutState(key),
      () => p.codeIssue(rc.CodePolicy.signUp(), SECRET, key, T0),
      () => p.codeState('sign_up', key),
      () => p.sessionStart(key, rc.SessionPolicy.upsSite(), T0),
      () => p.sessionRevoke(key),
    ]
    for (const call of calls) assert.throws(call, coded(code, 'invalid_input'))
  }
})

test('distinct keys never share a Redis key; braces are percent-encoded inside the hash tag', () => {
  const p = protocol()
  const keys = new Set(['{', '}', '%7B', '%7D', '{}', 'a}b{c', '\ufffd'].map((k) => p.lockoutState(k).resume().key))
  assert.equal(keys.size, 7)
  assert.equal(p.lockoutState('}x{').resume().key, 't:lockout:{%7Dx%7B}')
  assert.equal(p.lockoutState('100%').resume().key, 't:lockout:{100%25}')
})

test('bad retry options are store.invalid_option (configuration), never an uncoded error', () => {
  const bad = [
    { attempts: 0 },
    { attempts: NaN },
    { attempts: '3' },
    { attempts: 2 ** 64 },
    { attempts: 1.5 },
    { attempts: 3n },
    { deadlineMs: Infinity },
    { deadlineMs: -1 },
    { deadlineMs: '5000' },
    { baseDelayMs: NaN },
    { maxDelayMs: true },
    { maxDelayMs: -Infinity },
    { baseDelayMs: 50, maxDelayMs: 10 },
  ]
  for (const retry of bad) {
    assert.throws(() => protocol('redis', retry), coded('store.invalid_option', 'configuration'), JSON.stringify(retry, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)))
    assert.throws(
      () => new storeLib.SQLiteStore(':memory:', { retry: new storeLib.RetryPolicy(retry) }),
      coded('store.invalid_option', 'configuration'),
    )
  }
  assert.throws(() => new storeLib.SQLiteStore(':memory:', { retry: 5 }), coded('store.invalid_option', 'configuration'))
  assert.throws(() => new storeLib.SQLiteStore(':memory:', { busyTimeoutMs: NaN }), coded('store.invalid_option', 'configuration'))
  assert.throws(() => new rc.StoreProtocol('mysql', 't', rc.storeRetryDefaults()), coded('binding.unknown_name'))
  assert.throws(() => new rc.StoreProtocol('redis', 7, rc.storeRetryDefaults()), coded('store.invalid_prefix', 'configuration'))
})

test('the retry defaults and the CAS script come from the binding', () => {
  assert.deepEqual({ ...new storeLib.RetryPolicy() }, { ...rc.storeRetryDefaults() })
  assert.deepEqual(rc.storeRetryDefaults(), { attempts: 200, deadlineMs: 5000, baseDelayMs: 0.5, maxDelayMs: 20 })
  const crypto = require('node:crypto')
  assert.equal(rc.redisCasSha(), crypto.createHash('sha1').update(rc.redisCasScript()).digest('hex'))
  assert.equal(require('../store/redis').CAS_SHA, rc.redisCasSha())
})

test('redis refuses the ledger and migrations the same way (store.unsupported)', () => {
  const p = protocol()
  const master = new rc.MasterSecret(1, Buffer.alloc(32, 'm'))
  const key = master.activationAuthority().mint(0x0101, 1)
  const refused = [
    () => p.migrate(),
    () => p.schemaVersion(),
    () => p.purgeExpired(T0),
    () => p.ledgerIssue(master, new rc.IssuanceRequest('0123-4567-89AB-CDEF', [key]), T0),
    () => p.ledgerRebind(master, key.number, '0123-4567-89AB-CDEF', 'a', 'r', T0),
    () => p.ledgerBindings(),
    () => p.ledgerRebinds(),
    () => p.ledgerHistory(),
    () => p.ledgerDailyCounts(),
  ]
  for (const call of refused) assert.throws(call, coded('store.unsupported', 'configuration'))
})

test('report offsets are whole minutes within ±23:59 (store.invalid_utc_offset); days are YYYY-MM-DD', () => {
  const p = protocol('sqlite')
  p.ledgerHistory({ utcOffsetMinutes: 540 })
  p.ledgerDailyCounts({ utcOffsetMinutes: -330 })
  p.ledgerHistory({ utcOffsetMinutes: 1439 })
  for (const bad of [0.5, 1440, -1440, 1 / 60000, NaN, Infinity]) {
    assert.throws(() => p.ledgerHistory({ utcOffsetMinutes: bad }), coded('store.invalid_utc_offset', 'invalid_input'), String(bad))
    assert.throws(() => p.ledgerDailyCounts({ utcOffsetMinutes: bad }), coded('store.invalid_utc_offset', 'invalid_input'), String(bad))
  }
  assert.throws(() => p.ledgerHistory({ utcOffsetMinutes: '540' }), coded('binding.invalid_integer'))
  assert.throws(() => p.ledgerHistory({ days: { from: '2026-04-31', to: '2026-05-02' } }), coded('binding.invalid_day'))
})

test('a reply of the wrong shape is store.unexpected_reply (stored_state)', () => {
  const p = protocol()
  let op = p.codeState('sign_up', 'u')
  op.resume()
  assert.throws(() => op.resume(json(3.5)), coded('store.unexpected_reply', 'stored_state')) // neither nil nor text
  op = p.codeState('sign_up', 'u')
  op.resume()
  assert.throws(() => op.resume('{not json'), coded('store.unexpected_reply', 'stored_state'))
  op = p.codeState('sign_up', 'u')
  op.resume()
  assert.throws(() => op.fail('rejected'), coded('store.unexpected_reply', 'stored_state')) // WRONGTYPE
})

test('code issue and verify through the protocol', () => {
  const p = protocol()
  const policy = rc.CodePolicy.signUp()
  const issue = p.codeIssue(policy, SECRET, 'u@example.jp', T0)
  const step = issue.resume()
  assert.equal(step.kind, 'cas')
  assert.equal(step.key, 't:code:{sign_up\x1fu@example.jp}')
  assert.equal(issue.resume(json([1])).kind, 'done')
  const issued = issue.issuedResult()
  const verify = p.codeVerify(policy, SECRET, 'u@example.jp', issued.code, T0)
  assert.equal(verify.resume().kind, 'get')
  const cas = verify.resume(json(rc.encodeCodeState(issued.state)))
  assert.equal(cas.kind, 'cas')
  assert.equal(rc.decodeCodeState(cas.args[1].split('\x1f')[0]).used, true)
  assert.equal(verify.resume(json([1])).kind, 'done')
  assert.equal(verify.verifyResult().ok, true)
  assert.equal(p.codeState('sign_up', 'u@example.jp').resume().kind, 'get')
})

test('lockoutReset deletes only what it read', () => {
  const p = protocol()
  const op = p.lockoutReset('erin')
  assert.deepEqual(op.resume(), { kind: 'get', key: 't:lockout:{erin}' })
  const held = rc.encodeLockoutState({ failures: 5, lockedUntil: null, lastAttempt: null })
  // A deletion leaves a tombstone: no state, this write's token, a minute.
  const cas = op.resume(json(held))
  const [expected, tombstone, ttl, nowMs, tolerance] = cas.args
  assert.deepEqual([cas.kind, cas.key, expected, ttl, nowMs, tolerance], ['cas', 't:lockout:{erin}', held, '60000', '0', ''])
  assert.match(tombstone, /^\x1f[0-9a-f]{16}$/)
  assert.deepEqual(op.resume(json([1])), { kind: 'done' })
  assert.equal(op.boolResult(), true)
  const absent = p.lockoutReset('erin')
  absent.resume()
  assert.equal(absent.resume(json(null)).kind, 'done')
  assert.equal(absent.boolResult(), false)
})

test('a result is read once, with the getter of its kind; a finished operation stays finished', () => {
  const p = protocol()
  const op = p.lockoutReset('x')
  op.resume()
  op.resume(json(null))
  assert.throws(() => op.lockoutResult(), coded('store.invalid_option', 'configuration'))
  assert.equal(op.boolResult(), false)
  assert.throws(() => op.boolResult(), coded('store.invalid_option'))
  assert.throws(() => op.resume(json(null)), coded('store.invalid_option'))
})

// --- the executors' own refusals --------------------------------------------------

test('a failed Redis read is retried 3 times, then store.unavailable (with the driver error as cause)', async () => {
  let gets = 0
  const failing = {
    get: async () => {
      gets += 1
      throw new Error('Socket closed unexpectedly')
    },
    evalSha: async () => assert.fail('no write after a failed read'),
    eval: async () => assert.fail('no write after a failed read'),
  }
  const store = new storeLib.RedisStore(failing, { prefix: 't' })
  await assert.rejects(store.lockoutState('k'), (e) => {
    coded('store.unavailable', 'store_unavailable')(e)
    assert.deepEqual({ ...e.params }, { store: 'redis', operation: 'lockout.read' })
    assert.match(String(e.cause && e.cause.message), /Socket closed/)
    return true
  })
  assert.equal(gets, 4)
})

test('a store constructed with something that is not a client is store.invalid_client (configuration)', () => {
  const cases = [
    ['sqlite', () => new storeLib.SQLiteStore(42)],
    ['sqlite', () => new storeLib.SQLiteStore({ prepare() {} })],
    ['postgres', () => new storeLib.PostgresStore({})],
    ['postgres', () => new storeLib.PostgresStore(null)],
    ['redis', () => new storeLib.RedisStore({ get() {} })],
    ['redis', () => new storeLib.RedisStore('redis://127.0.0.1')],
  ]
  for (const [store, make] of cases) {
    assert.throws(make, (e) => {
      coded('store.invalid_client', 'configuration')(e)
      assert.equal(e.params.store, store)
      return true
    })
  }
})

test('lockoutSettle with something that is not an Admitted is store.invalid_admission', async () => {
  const store = new storeLib.SQLiteStore(':memory:')
  await store.migrate()
  for (const bad of [null, {}, { key: 'k', state: {} }, rc.LockoutPolicy.upsSite().attempt({ failures: 0, lockedUntil: null, lastAttempt: null }, T0)]) {
    await assert.rejects(store.lockoutSettle(bad, true, T0), coded('store.invalid_admission', 'invalid_input'))
  }
  const admitted = await store.lockoutAdmit('k', POLICY, T0)
  await store.lockoutSettle(admitted, true, T0)
  await assert.rejects(store.lockoutSettle(admitted, true, T0), coded('lockout.admission_used'))
  store.close()
})

test('no uncoded RangeError or TypeError from the store on bad input', async () => {
  const store = new storeLib.SQLiteStore(':memory:')
  await store.migrate()
  const bad = [
    () => store.ledgerHistory({ days: { from: 'yesterday', to: '2026-04-01' } }),
    () => store.ledgerDailyCounts({ utcOffsetMinutes: 0.5 }),
    () => store.ledgerHistoryCsv({ utcOffsetMinutes: 24 * 60 }),
    () => store.lockoutAdmit('', POLICY, T0),
    () => store.lockoutAdmit('k', POLICY, new Date(NaN)),
    () => store.codeState('sign_up', 'x'.repeat(513)),
    () => store.ledgerByMprId('not an id'),
  ]
  for (const call of bad) {
    await assert.rejects(call(), (e) => {
      assert.equal(e.name, 'RegcoreError', String(e && e.stack))
      assert.ok(e.code && e.kind)
      return true
    })
  }
  store.close()
})

test('no SQL, Lua, key format, TTL, retry constant or history rule is left in the JavaScript store layer', () => {
  const dir = path.join(__dirname, '..', 'store')
  const forbidden = [/INSERT INTO/i, /SELECT .* FROM/i, /ON CONFLICT/i, /redis\.call\(/, /86_?400_?000/, /:\{\$\{/, /\{\{/, /'\{'/, /\bDAY_MS\b/, /2 \*\* tried/]
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.js'))
  assert.ok(files.length >= 6)
  for (const file of files) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8')
    for (const pattern of forbidden) assert.doesNotMatch(text, pattern, `${file} holds ${pattern}`)
  }
  for (const gone of ['_sql.js', '_model.js', '_retry.js', '_sqlstore.js']) assert.ok(!files.includes(gone), gone)
})

test('without now, the store server\'s clock is used', () => {
  const p = protocol()
  const op = p.lockoutAdmit('frank', POLICY) // no now
  let step = op.resume()
  assert.equal(step.kind, 'cas')
  assert.equal(step.args[4], '1000')
  step = op.resume(json([2, T0.getTime()])) // the store's clock is far from ours
  assert.equal(step.kind, 'cas')
  assert.equal(step.args[3], String(T0.getTime()))
  assert.equal(op.resume(json([1])).kind, 'done')
  assert.equal(op.admitResult().admittedAt.getTime(), T0.getTime())
  assert.equal(op.conflicts, 0)
})
