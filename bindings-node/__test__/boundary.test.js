'use strict'
// Numbers at the JavaScript boundary are never wrapped, truncated or rounded
// (issue 13, SPEC §0): every numeric parameter of the public API, walked with
// -1, the first value above its range, 2**32, 2**64, 1.5, NaN, ±Infinity and
// 2**53, either accepts the value exactly or throws a coded error of kind
// `invalid_input` (`binding.invalid_integer` / `binding.integer_out_of_range`
// naming the parameter). A completeness check reads index.d.ts so a new
// numeric parameter cannot be added without joining this walk.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const rc = require('..')
const { assertCoded, throwsCoded } = require('./helpers')

const U16 = [0, 0xffff]
const U32 = [0, 2 ** 32 - 1]
// u64 parameters taken as a JS number: exact integers only, so at most 2^53 − 1.
const U64 = [0, Number.MAX_SAFE_INTEGER]
const OFFSET = [-1439, 1439]

const t0 = new Date('2026-04-01T00:00:00Z')
const MPR = '0123-4567-89AB-CDEF'
const NUM = '1111-1111-1111-1111'
const master = new rc.MasterSecret(1, Buffer.alloc(32, 1))
const auth = master.activationAuthority()
const kTerm = master.deviceKey('terminal', MPR)
const secret = new rc.CodeSecret(Buffer.alloc(32, 2))
const codePolicy = rc.CodePolicy.signUp()
const codeState = codePolicy.issue(secret, 'u', null, t0).state
const keyring = new rc.Keyring(1, secret)
const link = rc.LinkPolicy.passwordReset()
const token = link.issue(keyring, 'u', { now: t0 })
const prov = new rc.ProvisionalRegistration()
const provToken = prov.issue(keyring, 'u', '0312345678', { now: t0 })
const lockout = rc.LockoutPolicy.upsSite()
const fresh = { failures: 0, lockedUntil: null, lastAttempt: null }
const success = lockout.admit(fresh, t0).success()
const ledger = new rc.Ledger()
const catalogue = new rc.ProductCatalogue()
const request = new rc.IssuanceRequest(MPR, [auth.mint(1, 1)])
const bound = rc.planIssuance(master, request, [], t0).newBindings[0]
const owasp = rc.owaspHashParams()
const salt = Buffer.alloc(16, 3)
const phc = rc.hashPasswordSync('pw', { params: { memoryKib: 8, iterations: 1, parallelism: 1 }, salt })
const limit = rc.defaultVerifyLimit()

// site: where the number goes, as the completeness check names it;
// name: `params.name` of the error; range: what the binding accepts;
// domain: a narrower rule core applies after the binding (its own code);
// calls: every API entry point taking it.
const PARAMS = [
  { site: 'ActivationAuthority.mint(product)', name: 'product', range: U16, calls: [(v) => auth.mint(v, 1)] },
  {
    site: 'ActivationAuthority.mint(serial)',
    name: 'serial',
    range: U64,
    domain: { max: 2 ** 48 - 1, code: 'activation.serial_out_of_range' },
    calls: [(v) => auth.mint(1, v)],
  },
  { site: 'ActivationAuthority.mintMany(product)', name: 'product', range: U16, calls: [(v) => auth.mintMany(v, [1])] },
  {
    site: 'ActivationAuthority.mintMany(serials)',
    name: 'serial',
    range: U64,
    domain: { max: 2 ** 48 - 1, code: 'activation.serial_out_of_range' },
    params: { index: '1' },
    calls: [(v) => auth.mintMany(1, [1, v])],
  },
  {
    site: 'CodePolicy.withLifetimeSecs(lifetimeSecs)',
    name: 'lifetimeSecs',
    range: U64,
    calls: [(v) => codePolicy.withLifetimeSecs(v)],
  },
  {
    site: 'DeviceKey.registrationKey(product)',
    name: 'product',
    range: U16,
    calls: [(v) => kTerm.registrationKey(NUM, v)],
  },
  {
    site: 'KeyCode.fromValue(value)',
    name: 'value',
    range: U16,
    domain: { max: 1023, code: 'keycode.out_of_range' },
    calls: [(v) => rc.KeyCode.fromValue(v)],
  },
  { site: 'Keyring.constructor(keyId)', name: 'keyId', range: U32, calls: [(v) => new rc.Keyring(v, secret)] },
  { site: 'Keyring.withKey(keyId)', name: 'keyId', range: U32, calls: [(v) => keyring.withKey(v, secret)] },
  { site: 'Keyring.rotateTo(keyId)', name: 'keyId', range: U32, calls: [(v) => keyring.rotateTo(v)] },
  {
    site: 'LinkPolicy.constructor(lifetimeSecs)',
    name: 'lifetimeSecs',
    range: U64,
    calls: [(v) => new rc.LinkPolicy('p', v)],
  },
  ...['keycloakMultiple', 'keycloakLinear'].flatMap((f) => [
    {
      site: `LockoutPolicy.${f}(maxLoginFailures)`,
      name: 'maxLoginFailures',
      range: U32,
      calls: [(v) => rc.LockoutPolicy[f](v, 60, 900, 43200)],
    },
    {
      site: `LockoutPolicy.${f}(waitIncrementSecs)`,
      name: 'waitIncrementSecs',
      range: U64,
      calls: [(v) => rc.LockoutPolicy[f](30, v, 900, 43200)],
    },
    {
      site: `LockoutPolicy.${f}(maxWaitSecs)`,
      name: 'maxWaitSecs',
      range: U64,
      calls: [(v) => rc.LockoutPolicy[f](30, 60, v, 43200)],
    },
    {
      site: `LockoutPolicy.${f}(failureResetSecs)`,
      name: 'failureResetSecs',
      range: U64,
      calls: [(v) => rc.LockoutPolicy[f](30, 60, 900, v)],
    },
  ]),
  { site: 'LockoutPolicy.fixed(threshold)', name: 'threshold', range: U32, calls: [(v) => rc.LockoutPolicy.fixed(v, 300)] },
  { site: 'LockoutPolicy.fixed(lockSecs)', name: 'lockSecs', range: U64, calls: [(v) => rc.LockoutPolicy.fixed(5, v)] },
  { site: 'LockoutPolicy.lockSecs(failures)', name: 'failures', range: U32, calls: [(v) => lockout.lockSecs(v)] },
  { site: 'storeContended(attempts)', name: 'attempts', range: U32, calls: [(v) => rc.storeContended('lockout.admit', v)] },
  { site: 'storeSchemaMismatch(found)', name: 'found', range: U32, calls: [(v) => rc.storeSchemaMismatch(v, 1)] },
  { site: 'storeSchemaMismatch(expected)', name: 'expected', range: U32, calls: [(v) => rc.storeSchemaMismatch(0, v)] },
  {
    site: 'MasterSecret.constructor(keyId)',
    name: 'keyId',
    range: U32,
    calls: [(v) => new rc.MasterSecret(v, Buffer.alloc(32, 1))],
  },
  {
    site: 'MasterSecret.registrationKey(product)',
    name: 'product',
    range: U16,
    calls: [(v) => master.registrationKey(MPR, NUM, v)],
  },
  {
    site: 'ProductCatalogue.insert(code)',
    name: 'code',
    range: U16,
    calls: [(v) => catalogue.insert(v, { model: 'm', keyType: 'k', demo: false })],
  },
  { site: 'ProductCatalogue.get(code)', name: 'code', range: U16, calls: [(v) => catalogue.get(v)] },
  {
    site: 'SessionPolicy.constructor(idleTimeoutSecs)',
    name: 'idleTimeoutSecs',
    range: U64,
    calls: [(v) => new rc.SessionPolicy(v)],
  },
  {
    site: 'SessionPolicy.constructor(absoluteTimeoutSecs)',
    name: 'absoluteTimeoutSecs',
    range: U64,
    calls: [(v) => new rc.SessionPolicy(1800, v)],
  },
  {
    site: 'hotp6(counter)',
    name: 'counter',
    range: U64,
    // A number here; the bigint form (up to 2**64 − 1) is walked below.
    calls: [(v) => rc.hotp6(Buffer.alloc(32), v)],
  },
  // Numbers inside objects the API takes.
  ...['series', 'generation', 'attempts'].map((field) => ({
    site: `CodeState.${field}`,
    name: field,
    range: U32,
    calls: withField(codeState, field, [
      (s) => codePolicy.issue(secret, 'u', s, t0),
      (s) => codePolicy.verify(secret, 'u', '000000', s, t0),
      (s) => codePolicy.isExpired(s, t0),
      (s) => codePolicy.expiresAt(s),
      (s) => rc.codeCounter(s),
      (s) => rc.encodeCodeState(s),
      (s) => rc.codeStateToBytes(s),
    ]),
  })),
  ...['memoryKib', 'iterations', 'parallelism'].map((field) => ({
    site: `HashParams.${field}`,
    name: field,
    range: U32,
    calls: withField(owasp, field, [
      (params) => rc.hashPasswordSync('pw', { params, salt }),
      (params) => rc.hashPassword('pw', { params, salt }),
      (params) => rc.needsRehash(phc, params),
    ]),
  })),
  {
    site: 'Binding.product',
    name: 'product',
    range: U16,
    params: { index: '0' },
    calls: withField(bound, 'product', [(b) => rc.planIssuance(master, request, [b], t0)]),
  },
  {
    site: 'LinkOptions.generation',
    name: 'generation',
    range: U32,
    calls: [
      (v) => link.issue(keyring, 'u', { generation: v, now: t0 }),
      (v) => link.verify(keyring, token, { generation: v, now: t0 }),
      (v) => prov.issue(keyring, 'u', '0312345678', { generation: v, now: t0 }),
      (v) => prov.complete(keyring, provToken, '0312345678', { generation: v, now: t0 }),
    ],
  },
  {
    site: 'LockoutState.failures',
    name: 'failures',
    range: U32,
    calls: withField(fresh, 'failures', [
      (s) => lockout.check(s, t0),
      (s) => lockout.attempt(s, t0),
      (s) => lockout.admit(s, t0),
      (s) => lockout.recordFailure(s, t0),
      (s) => lockout.recordSuccess(s, t0),
      (s) => rc.encodeLockoutState(s),
      (s) => rc.lockoutStateToBytes(s),
      (s) => success.apply(s),
    ]),
  },
  {
    site: 'LockoutTier.failures',
    name: 'failures',
    range: U32,
    calls: [(v) => rc.LockoutPolicy.tiers([{ failures: v, lockSecs: 60 }])],
  },
  {
    site: 'LockoutTier.lockSecs',
    name: 'lockSecs',
    range: U64,
    calls: [(v) => rc.LockoutPolicy.tiers([{ failures: 3, lockSecs: v }])],
  },
  {
    site: 'ReportOptions.utcOffsetMinutes',
    name: 'utcOffsetMinutes',
    range: OFFSET,
    calls: [
      (v) => ledger.history({ utcOffsetMinutes: v }),
      (v) => ledger.historyCsv({ utcOffsetMinutes: v }),
      (v) => ledger.dailyCounts({ utcOffsetMinutes: v }),
      (v) => ledger.dailyCountsCsv({ utcOffsetMinutes: v }),
    ],
  },
  ...['maxMemoryKib', 'maxWork'].map((field) => ({
    site: `VerifyLimit.${field}`,
    name: field,
    range: field === 'maxWork' ? U64 : U32,
    // A malformed PHC string: a value the binding accepts reaches core and
    // fails there (never hashing anything).
    calls: withField(limit, field, [
      (l) => rc.verifyPasswordSync('pw', '$argon2id$nope', { limit: l }),
      (l) => rc.verifyPassword('pw', '$argon2id$nope', { limit: l }),
    ]),
  })),
]

// Interfaces whose numbers only ever come out of regcore.
const OUTPUT_ONLY = new Set([
  'ActivationInfo',
  'DailyCount',
  'HistoryRow',
  'KeyOutcome',
  'LinkClaims',
  'LockoutDecision',
  'PasswordAgeResult',
  'PasswordReport',
  'SchemaMigration',
])

function withField(base, field, callers) {
  return callers.map((call) => (v) => call({ ...base, [field]: v }))
}

const WALK = [-1, 2 ** 32, 2 ** 64, 1.5, -0.5, Number.NaN, Infinity, -Infinity, 2 ** 53]
const BOUNDARY_CODES = ['binding.invalid_integer', 'binding.integer_out_of_range']

async function thrown(call, v) {
  try {
    const r = call(v)
    if (r && typeof r.then === 'function') await r
    return null
  } catch (err) {
    return err
  }
}

test('every numeric parameter refuses what it cannot hold exactly, with a coded invalid_input error', async () => {
  let refusals = 0
  for (const p of PARAMS) {
    const [min, max] = p.range
    const values = [...WALK, max + 1, min - 1]
    for (const [i, call] of p.calls.entries()) {
      for (const v of values) {
        const where = `${p.site} call ${i} with ${v}`
        const err = await thrown(call, v)
        const exact = Number.isInteger(v) && v >= min && v <= max
        if (exact) {
          // Accepted as is: any error comes from core's rules, not the boundary.
          if (err) assert.ok(!String(err.code).startsWith('binding.'), `${where}: ${err.code}`)
          if (p.domain && v > p.domain.max) {
            assert.ok(err, `${where}: accepted`)
            assertCoded(err, p.domain.code, {}, 'invalid_input')
          }
          continue
        }
        assert.ok(err, `${where}: accepted, not refused`)
        assert.ok(BOUNDARY_CODES.includes(err.code), `${where}: code ${err.code} (${err.message})`)
        const expected = Number.isFinite(v) && Number.isInteger(v) ? 'binding.integer_out_of_range' : 'binding.invalid_integer'
        assertCoded(err, expected, { name: p.name, ...(p.params ?? {}) }, 'invalid_input')
        if (expected === 'binding.integer_out_of_range') {
          assert.equal(err.params.min, String(min), where)
          assert.equal(err.params.max, String(max), where)
        }
        refusals++
      }
      if (p.domain) {
        const err = await thrown(call, p.domain.max + 1)
        assert.ok(err, `${p.site}: first value above the domain accepted`)
        assertCoded(err, p.domain.code, {}, 'invalid_input')
      }
    }
  }
  assert.ok(refusals > 500, `${refusals} refusals`)
})

test('the walk covers every numeric parameter declared in index.d.ts', () => {
  const dts = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8')
  const declared = new Set()
  const isNumeric = (type) => /\b(number|bigint)\b/.test(type)
  const params = (list) =>
    list
      .split(/, (?=\w+\??:)/)
      .filter(Boolean)
      .map((p) => p.match(/^(\w+)\??: (.*)$/))
  let owner = null
  let kind = null
  for (const line of dts.split('\n')) {
    let m
    if ((m = line.match(/^export declare class (\w+)/))) [owner, kind] = [m[1], 'class']
    else if ((m = line.match(/^export interface (\w+) \{/))) [owner, kind] = [m[1], 'interface']
    else if (/^\}/.test(line)) [owner, kind] = [null, null]
    else if ((m = line.match(/^export declare function (\w+)\((.*)\)/))) {
      for (const [, name, type] of params(m[2])) if (isNumeric(type)) declared.add(`${m[1]}(${name})`)
    } else if (kind === 'class' && (m = line.match(/^ {2}(?:static )?(\w+)\((.*)\)/))) {
      for (const [, name, type] of params(m[2])) if (isNumeric(type)) declared.add(`${owner}.${m[1]}(${name})`)
    } else if (kind === 'interface' && !OUTPUT_ONLY.has(owner) && (m = line.match(/^ {2}(\w+)\??: (.*)$/))) {
      if (isNumeric(m[2])) declared.add(`${owner}.${m[1]}`)
    }
  }
  const walked = new Set(PARAMS.map((p) => p.site))
  const missing = [...declared].filter((s) => !walked.has(s))
  assert.deepEqual(missing, [], 'numeric parameters not walked')
  const stale = [...walked].filter((s) => !declared.has(s))
  assert.deepEqual(stale, [], 'walked parameters that no longer exist')
  assert.ok(declared.size >= 40, `${declared.size} numeric parameters`)
})

// The exact findings of issue 13: each minted a wrong key before.
test('finding: mint(2**32 + 1, 1) is refused, not a key for product 1', () => {
  throwsCoded(
    () => new rc.ActivationAuthority(master).mint(2 ** 32 + 1, 1),
    'binding.integer_out_of_range',
    { name: 'product', min: '0', max: '65535' },
    'invalid_input',
  )
})

test('finding: mint(1.5, 1) is refused, not a key for product 1', () => {
  throwsCoded(() => new rc.ActivationAuthority(master).mint(1.5, 1), 'binding.invalid_integer', { name: 'product' }, 'invalid_input')
})

test('finding: mint(NaN, 1) is refused, not a key for product 0', () => {
  throwsCoded(() => new rc.ActivationAuthority(master).mint(NaN, 1), 'binding.invalid_integer', { name: 'product' }, 'invalid_input')
})

test('finding: mint(2**53, 1) is refused, not a key for product 0', () => {
  throwsCoded(
    () => new rc.ActivationAuthority(master).mint(2 ** 53, 1),
    'binding.integer_out_of_range',
    { name: 'product' },
    'invalid_input',
  )
  // And as a serial: 2**53 also stands for 2**53 + 1.
  throwsCoded(
    () => new rc.ActivationAuthority(master).mint(1, 2 ** 53),
    'binding.integer_out_of_range',
    { name: 'serial', max: String(Number.MAX_SAFE_INTEGER) },
    'invalid_input',
  )
})

test('the largest values are taken exactly', () => {
  const a = new rc.ActivationAuthority(master)
  const key = a.mint(0xffff, 2 ** 48 - 1)
  assert.deepEqual(key.verify(a), { product: 0xffff, serial: 2 ** 48 - 1 })
  assert.equal(rc.KeyCode.fromValue(1023).value, 1023)
  assert.equal(new rc.Keyring(2 ** 32 - 1, secret).currentKeyId, 2 ** 32 - 1)
  assert.equal(new rc.MasterSecret(2 ** 32 - 1, Buffer.alloc(32)).keyId, 2 ** 32 - 1)
  assert.equal(lockout.lockSecs(2 ** 32 - 1), 900)
  const s = lockout.recordFailure({ failures: 2 ** 32 - 1, lockedUntil: null, lastAttempt: null }, t0)
  assert.equal(s.failures, 2 ** 32 - 1) // saturates in core, never wraps to 0
  assert.equal(new rc.SessionPolicy(Number.MAX_SAFE_INTEGER).idleTimeoutSecs, Number.MAX_SAFE_INTEGER)
  // hotp6: a bigint counter reaches 2**64 − 1; a number stops at 2**53 − 1.
  assert.equal(typeof rc.hotp6(Buffer.alloc(32), 2n ** 64n - 1n), 'number')
  assert.equal(rc.hotp6(Buffer.alloc(32), 2n ** 53n - 1n), rc.hotp6(Buffer.alloc(32), 2 ** 53 - 1))
  for (const big of [-1n, 2n ** 64n, 2n ** 64n + 1n, 2n ** 127n, -(2n ** 70n), 2n ** 200n]) {
    throwsCoded(
      () => rc.hotp6(Buffer.alloc(32), big),
      'binding.integer_out_of_range',
      { name: 'counter', min: '0', max: '18446744073709551615' },
      'invalid_input',
    )
  }
})
