'use strict'
// Numbers at the JavaScript boundary are never wrapped, truncated or rounded
// (issue 13; README.md, "Safety properties"): every numeric parameter of the public API, walked with
// -1, the first value above its range, 2**32, 2**64, 1.5, NaN, ±Infinity and
// 2**53, either accepts the value exactly or throws a coded error of kind
// `invalid_input` (`binding.invalid_integer` / `binding.integer_out_of_range`
// naming the parameter). A completeness check reads index.d.ts so a new
// numeric parameter cannot be added without joining this walk. The same walk
// passes values of the wrong JavaScript type ('1', {}, true, 1n, null,
// undefined): each is `binding.invalid_integer` naming the parameter, never
// napi's uncoded `NumberExpected`; strings likewise (`binding.invalid_string`).
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
const success = lockout.attempt(fresh, t0).success()
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
    optional: true,
    calls: [(v) => new rc.SessionPolicy(1800, v)],
  },
  {
    site: 'hotp6(counter)',
    name: 'counter',
    range: U64,
    bigint: true,
    // A number here; the bigint form (up to 2**64 − 1) is walked below.
    calls: [(v) => rc.hotp6(Buffer.alloc(32), v)],
  },
  // Numbers inside objects the API takes.
  ...['series', 'generation', 'attempts'].map((field) => ({
    site: `CodeState.${field}`,
    field: true,
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
    field: true,
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
    field: true,
    name: 'product',
    range: U16,
    params: { index: '0' },
    calls: withField(bound, 'product', [(b) => rc.planIssuance(master, request, [b], t0)]),
  },
  {
    site: 'LinkOptions.generation',
    name: 'generation',
    range: U32,
    optional: true,
    calls: [
      (v) => link.issue(keyring, 'u', { generation: v, now: t0 }),
      (v) => link.verify(keyring, token, { generation: v, now: t0 }),
      (v) => prov.issue(keyring, 'u', '0312345678', { generation: v, now: t0 }),
      (v) => prov.complete(keyring, provToken, '0312345678', { generation: v, now: t0 }),
    ],
  },
  {
    site: 'LockoutState.failures',
    field: true,
    name: 'failures',
    range: U32,
    calls: withField(fresh, 'failures', [
      (s) => lockout.check(s, t0),
      (s) => lockout.attempt(s, t0),
      (s) => lockout.recordFailure(s, t0),
      (s) => lockout.recordSuccess(s, t0),
      (s) => rc.encodeLockoutState(s),
      (s) => rc.lockoutStateToBytes(s),
      (s) => success.apply(s),
    ]),
  },
  {
    site: 'LockoutTier.failures',
    field: true,
    name: 'failures',
    range: U32,
    calls: [(v) => rc.LockoutPolicy.tiers([{ failures: v, lockSecs: 60 }])],
  },
  {
    site: 'LockoutTier.lockSecs',
    field: true,
    name: 'lockSecs',
    range: U64,
    calls: [(v) => rc.LockoutPolicy.tiers([{ failures: 3, lockSecs: v }])],
  },
  {
    site: 'ReportOptions.utcOffsetMinutes',
    name: 'utcOffsetMinutes',
    range: OFFSET,
    optional: true,
    calls: [
      (v) => ledger.history({ utcOffsetMinutes: v }),
      (v) => ledger.historyCsv({ utcOffsetMinutes: v }),
      (v) => ledger.dailyCounts({ utcOffsetMinutes: v }),
      (v) => ledger.dailyCountsCsv({ utcOffsetMinutes: v }),
    ],
  },
  ...['maxMemoryKib', 'maxWork'].map((field) => ({
    site: `VerifyLimit.${field}`,
    field: true,
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
  'StoreCommand',
  // Store options are not integers (milliseconds may be fractional): the
  // store protocol checks them, and every refusal is store.invalid_option
  // (store-protocol.test.js walks NaN, ±Infinity, strings, BigInt, ranges).
  'StoreRetryOptions',
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

// Values of the wrong JavaScript type where a number is expected: napi's own
// conversion threw an uncoded `NumberExpected` (no code, no kind, no
// messageJa); now each is core's `binding.invalid_integer` naming the
// parameter. `null`/`undefined` are refusals only where the number is
// required (an optional parameter or field takes them as "omitted"); a
// BigInt is a refusal except where the parameter takes a bigint (`hotp6`).
// Known limit: a required numeric *field* left out of an input object (or
// set to `undefined`) is napi's own `Missing field` error, thrown before the
// binding sees the object; `null` there is coded.
const NOT_NUMBERS = [['1', "'1'"], [{}, '{}'], [true, 'true'], [1n, '1n'], [[], '[]'], ['', "''"]]
const ABSENT = [[null, 'null'], [undefined, 'undefined']]

test('every numeric parameter refuses a value that is not a number with a coded invalid_input error', async () => {
  let refusals = 0
  for (const p of PARAMS) {
    const values = NOT_NUMBERS.filter(([v]) => !(p.bigint && typeof v === 'bigint'))
    if (!p.optional) values.push(...ABSENT.filter(([v]) => !(p.field && v === undefined)))
    for (const [i, call] of p.calls.entries()) {
      for (const [v, shown] of values) {
        const where = `${p.site} call ${i} with ${shown}`
        const err = await thrown(call, v)
        assert.ok(err, `${where}: accepted, not refused`)
        assert.equal(err.code, 'binding.invalid_integer', `${where}: code ${err.code} (${err.message})`)
        assert.equal(err.kind, 'invalid_input', where)
        assertCoded(err, 'binding.invalid_integer', { name: p.name, ...(p.params ?? {}) }, 'invalid_input')
        refusals++
      }
      if (p.field && !p.optional) {
        // Left out: refused (napi's `Missing field`, see above), never a default.
        assert.ok(await thrown(call, undefined), `${p.site} call ${i} without the field: accepted`)
      }
    }
  }
  assert.ok(refusals > 400, `${refusals} refusals`)
})

test("finding: mint('1', 1), mint({}, 1), mint(1n, 1), mint(undefined, 1) are coded errors, not napi's NumberExpected", () => {
  const a = new rc.ActivationAuthority(master)
  for (const v of ['1', {}, 1n, undefined, null, true]) {
    throwsCoded(() => a.mint(v, 1), 'binding.invalid_integer', { name: 'product' }, 'invalid_input')
    throwsCoded(() => a.mint(1, v), 'binding.invalid_integer', { name: 'serial' }, 'invalid_input')
  }
  throwsCoded(() => a.mint(1), 'binding.invalid_integer', { name: 'serial' }, 'invalid_input')
  throwsCoded(() => a.mintMany(1, [1, '2']), 'binding.invalid_integer', { name: 'serial', index: '1' }, 'invalid_input')
})

// Strings: a value that is not a string, or a string with a lone surrogate
// (which napi would silently turn into U+FFFD, a plausible wrong value), is
// core's `binding.invalid_string` naming the parameter. Where a class is
// accepted too (`MprId | string`), the class instance still passes.
const pw = rc.PasswordPolicy.preset(rc.PasswordPolicy.presetNames()[0])
const dealer = new rc.DealerAccount('D001', '0312345678')
const gateway = new rc.GatewayMaintenance('0123-4567-8901')
const STRING_PARAMS = [
  { site: 'MprId.parse(input)', name: 'input', call: (v) => rc.MprId.parse(v) },
  { site: 'ActivationNumber.parse(input)', name: 'input', call: (v) => rc.ActivationNumber.parse(v) },
  { site: 'RegistrationId.parse(input)', name: 'input', call: (v) => rc.RegistrationId.parse(v) },
  { site: 'UpsSerial.parse(input)', name: 'input', call: (v) => rc.UpsSerial.parse(v) },
  { site: 'GatewayId.parse(input)', name: 'input', call: (v) => rc.GatewayId.parse(v) },
  { site: 'PhoneNumber.parse(input)', name: 'input', call: (v) => rc.PhoneNumber.parse(v) },
  { site: 'DealerId.parse(input)', name: 'input', call: (v) => rc.DealerId.parse(v) },
  { site: 'EmailAddress.parse(input)', name: 'input', call: (v) => rc.EmailAddress.parse(v) },
  { site: 'KmsLoginId.parse(input)', name: 'input', call: (v) => rc.KmsLoginId.parse(v) },
  { site: 'KeyCode.parse(input)', name: 'input', call: (v) => rc.KeyCode.parse(v) },
  { site: 'GatewayPassword.parse(input)', name: 'input', call: (v) => rc.GatewayPassword.parse(v) },
  { site: 'RegistrationKey.parse(input)', name: 'input', call: (v) => rc.RegistrationKey.parse(v) },
  { site: 'DeviceKey.fromHex(hex)', name: 'hex', call: (v) => rc.DeviceKey.fromHex(v) },
  { site: 'foldAndTrim(input)', name: 'input', call: (v) => rc.foldAndTrim(v) },
  { site: 'compactInput(input)', name: 'input', call: (v) => rc.compactInput(v) },
  { site: 'MasterSecret.deviceKey(kind)', name: 'kind', call: (v) => master.deviceKey(v, MPR) },
  { site: 'MasterSecret.deviceKey(id)', name: 'id', optional: true, call: (v) => master.deviceKey('terminal', v) },
  { site: 'MasterSecret.keyCode(serial)', name: 'serial', call: (v) => master.keyCode(v) },
  { site: 'MasterSecret.gatewayPassword(gatewayId)', name: 'gatewayId', call: (v) => master.gatewayPassword(v) },
  {
    site: 'MasterSecret.verifyGatewayPassword(typed)',
    name: 'typed',
    call: (v) => master.verifyGatewayPassword('0123-4567-8901', v),
  },
  { site: 'MasterSecret.registrationKey(mprId)', name: 'mprId', call: (v) => master.registrationKey(v, NUM, 1) },
  {
    site: 'MasterSecret.registrationKey(activationNumber)',
    name: 'activationNumber',
    call: (v) => master.registrationKey(MPR, v, 1),
  },
  { site: 'MasterSecret.keyCodes(serials)', name: 'serials', params: { index: '0' }, call: (v) => master.keyCodes([v]) },
  { site: 'MasterSecret.keyCodesFromLines(serials)', name: 'serials', call: (v) => master.keyCodesFromLines(v) },
  {
    site: 'MasterSecret.gatewayPasswords(gatewayIds)',
    name: 'gatewayIds',
    params: { index: '0' },
    call: (v) => master.gatewayPasswords([v]),
  },
  { site: 'MasterSecret.deviceKeys(ids)', name: 'ids', params: { index: '0' }, call: (v) => master.deviceKeys('ups', [v]) },
  { site: 'DeviceKey.registrationKey(activationNumber)', name: 'activationNumber', call: (v) => kTerm.registrationKey(v, 1) },
  { site: 'ActivationKey.constructor(number)', name: 'number', call: (v) => new rc.ActivationKey(v, '12345678') },
  { site: 'ActivationKey.constructor(registrationId)', name: 'registrationId', call: (v) => new rc.ActivationKey(NUM, v) },
  { site: 'CodePolicy.fromJSON(json)', name: 'json', call: (v) => rc.CodePolicy.fromJSON(v) },
  { site: 'CodePolicy.issue(subject)', name: 'subject', call: (v) => codePolicy.issue(secret, v, null, t0) },
  { site: 'CodePolicy.verify(subject)', name: 'subject', call: (v) => codePolicy.verify(secret, v, '000000', codeState, t0) },
  { site: 'CodePolicy.verify(typed)', name: 'typed', call: (v) => codePolicy.verify(secret, 'u', v, codeState, t0) },
  { site: 'decodeCodeState(encoded)', name: 'encoded', call: (v) => rc.decodeCodeState(v) },
  { site: 'deriveCodeKey(purpose)', name: 'purpose', call: (v) => rc.deriveCodeKey(secret, v, 'u') },
  { site: 'deriveCodeKey(subject)', name: 'subject', call: (v) => rc.deriveCodeKey(secret, 'sign_up', v) },
  { site: 'LinkPolicy.constructor(purpose)', name: 'purpose', call: (v) => new rc.LinkPolicy(v, 60) },
  { site: 'LinkPolicy.issue(subject)', name: 'subject', call: (v) => link.issue(keyring, v, { now: t0 }) },
  { site: 'LinkPolicy.verify(token)', name: 'token', call: (v) => link.verify(keyring, v, { now: t0 }) },
  { site: 'LinkOptions.binding', name: 'binding', optional: true, call: (v) => link.issue(keyring, 'u', { binding: v, now: t0 }) },
  { site: 'peekLink(token)', name: 'token', call: (v) => rc.peekLink(v) },
  { site: 'ProvisionalRegistration.issue(subject)', name: 'subject', call: (v) => prov.issue(keyring, v, '0312345678', { now: t0 }) },
  { site: 'ProvisionalRegistration.issue(phone)', name: 'phone', call: (v) => prov.issue(keyring, 'u', v, { now: t0 }) },
  { site: 'ProvisionalRegistration.complete(token)', name: 'token', call: (v) => prov.complete(keyring, v, '0312345678', { now: t0 }) },
  {
    site: 'ProvisionalRegistration.complete(typedPhone)',
    name: 'typedPhone',
    call: (v) => prov.complete(keyring, provToken, v, { now: t0 }),
  },
  { site: 'decodeSessionState(encoded)', name: 'encoded', call: (v) => rc.decodeSessionState(v) },
  { site: 'LockoutPolicy.fromJSON(json)', name: 'json', call: (v) => rc.LockoutPolicy.fromJSON(v) },
  { site: 'decodeLockoutState(encoded)', name: 'encoded', call: (v) => rc.decodeLockoutState(v) },
  { site: 'IssuanceRequest.constructor(mprId)', name: 'mprId', call: (v) => new rc.IssuanceRequest(v, [auth.mint(1, 1)]) },
  { site: 'IssuanceRequest.constructor(mode)', name: 'mode', optional: true, call: (v) => new rc.IssuanceRequest(MPR, [auth.mint(1, 1)], v) },
  {
    site: 'IssuanceRequest.constructor(viewer)',
    name: 'viewer',
    optional: true,
    call: (v) => new rc.IssuanceRequest(MPR, [auth.mint(1, 1)], 'real', v),
  },
  { site: 'Ledger.fromJSON(json)', name: 'json', call: (v) => rc.Ledger.fromJSON(v) },
  { site: 'Ledger.byMprId(mprId)', name: 'mprId', call: (v) => ledger.byMprId(v) },
  { site: 'Ledger.byActivationNumber(number)', name: 'number', call: (v) => ledger.byActivationNumber(v) },
  { site: 'Ledger.rebind(number)', name: 'number', call: (v) => new rc.Ledger().rebind(master, v, MPR, 'a', 'r', t0) },
  { site: 'Ledger.rebind(to)', name: 'to', call: (v) => new rc.Ledger().rebind(master, NUM, v, 'a', 'r', t0) },
  { site: 'Ledger.rebind(actor)', name: 'actor', call: (v) => new rc.Ledger().rebind(master, NUM, MPR, v, 'r', t0) },
  { site: 'Ledger.rebind(reason)', name: 'reason', call: (v) => new rc.Ledger().rebind(master, NUM, MPR, 'a', v, t0) },
  { site: 'DealerAccount.constructor(dealerId)', name: 'dealerId', call: (v) => new rc.DealerAccount(v, '0312345678') },
  { site: 'DealerAccount.constructor(phone)', name: 'phone', call: (v) => new rc.DealerAccount('D001', v) },
  { site: 'DealerAccount.fromJSON(json)', name: 'json', call: (v) => rc.DealerAccount.fromJSON(v) },
  { site: 'DealerAccount.addEmail(email)', name: 'email', call: (v) => dealer.addEmail(v) },
  { site: 'DealerAccount.removeEmail(email)', name: 'email', call: (v) => dealer.removeEmail(v) },
  { site: 'GatewayMaintenance.constructor(gatewayId)', name: 'gatewayId', call: (v) => new rc.GatewayMaintenance(v) },
  { site: 'GatewayMaintenance.fromJSON(json)', name: 'json', call: (v) => rc.GatewayMaintenance.fromJSON(v) },
  { site: 'GatewayMaintenance.link(dealerId)', name: 'dealerId', call: (v) => gateway.link(v, '0312345678') },
  { site: 'GatewayMaintenance.link(phone)', name: 'phone', call: (v) => gateway.link('D001', v) },
  { site: 'GatewayMaintenance.unlink(dealerId)', name: 'dealerId', call: (v) => gateway.unlink(v) },
  { site: 'PasswordPolicy.preset(name)', name: 'name', call: (v) => rc.PasswordPolicy.preset(v) },
  { site: 'PasswordPolicy.fromJSON(json)', name: 'json', call: (v) => rc.PasswordPolicy.fromJSON(v) },
  { site: 'PasswordPolicy.check(password)', name: 'password', call: (v) => pw.check(v) },
  { site: 'PasswordPolicy.checkAsync(password)', name: 'password', call: (v) => pw.checkAsync(v) },
  { site: 'hashPassword(password)', name: 'password', call: (v) => rc.hashPassword(v, { params: owasp, salt }) },
  { site: 'hashPasswordSync(password)', name: 'password', call: (v) => rc.hashPasswordSync(v, { params: owasp, salt }) },
  { site: 'verifyPassword(password)', name: 'password', call: (v) => rc.verifyPassword(v, phc) },
  { site: 'verifyPassword(phc)', name: 'phc', call: (v) => rc.verifyPassword('pw', v) },
  { site: 'verifyPasswordSync(password)', name: 'password', call: (v) => rc.verifyPasswordSync(v, phc) },
  { site: 'verifyPasswordSync(phc)', name: 'phc', call: (v) => rc.verifyPasswordSync('pw', v) },
  { site: 'needsRehash(phc)', name: 'phc', call: (v) => rc.needsRehash(v) },
  { site: 'checkStorePrefix(prefix)', name: 'prefix', call: (v) => rc.checkStorePrefix(v) },
]
const NOT_STRINGS = [[1, '1'], [{}, '{}'], [true, 'true'], [1n, '1n'], [[], '[]'], ['a\ud800b', 'a lone surrogate']]

test('every string parameter refuses a value that is not a string, or a lone surrogate, with a coded invalid_input error', async () => {
  let refusals = 0
  for (const p of STRING_PARAMS) {
    const values = [...NOT_STRINGS]
    if (!p.optional) values.push(...ABSENT)
    for (const [v, shown] of values) {
      // LinkOptions.binding also takes bytes: an object that is not a
      // Uint8Array is refused as a string.
      const where = `${p.site} with ${shown}`
      const err = await thrown(p.call, v)
      assert.ok(err, `${where}: accepted, not refused`)
      assert.equal(err.code, 'binding.invalid_string', `${where}: code ${err.code} (${err.message})`)
      assertCoded(err, 'binding.invalid_string', { name: p.name, ...(p.params ?? {}) }, 'invalid_input')
      refusals++
    }
  }
  assert.ok(refusals > 500, `${refusals} refusals`)
})

test('a class instance still passes where a class or a string is accepted', () => {
  const mpr = rc.MprId.parse(MPR)
  const num = rc.ActivationNumber.parse(NUM)
  assert.ok(master.registrationKey(mpr, num, 1).equals(master.registrationKey(MPR, NUM, 1)))
  assert.equal(ledger.byMprId(mpr).length, 0)
  assert.equal(master.keyCode(rc.UpsSerial.parse('A1234567')).value, master.keyCode('A1234567').value)
  assert.equal(prov.complete(keyring, provToken, rc.PhoneNumber.parse('0312345678'), { now: t0 }).subject, 'u')
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
