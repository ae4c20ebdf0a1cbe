'use strict'
// Every error and Diagnostic carries core's kind; every boundary refusal is
// a core code (malformed JSON, unknown names, unknown preset); the store
// schema comes from core.
const test = require('node:test')
const assert = require('node:assert/strict')
const rc = require('..')
const { throwsCoded, KINDS } = require('./helpers')

const t0 = new Date('2026-04-01T00:00:00Z')

test('thrown errors carry the kind core assigns to their code', () => {
  const master = new rc.MasterSecret(1, Buffer.alloc(32, 1))
  const ups = master.deviceKey('ups', 'A1')
  const wrong = rc.KeyCode.fromValue((ups.keyCode().value + 1) % 1024)
  throwsCoded(() => wrong.verify(ups), 'keycode.mismatch', {}, 'rejected')
  throwsCoded(() => rc.MprId.parse('12'), 'identifier.too_short', {}, 'invalid_input')
  throwsCoded(() => new rc.MasterSecret(1, Buffer.alloc(3)), 'keys.master_length', {}, 'configuration')
  throwsCoded(() => rc.decodeLockoutState('l9'), 'lockout.malformed_state', {}, 'stored_state')
  throwsCoded(() => rc.decodeCodeState('c9'), 'code.malformed_state', {}, 'stored_state')
  throwsCoded(() => new rc.ProductCatalogue().get(1), 'activation.unknown_product', {}, 'refused')
  throwsCoded(() => new rc.CodeSecret(Buffer.alloc(3)), 'secret.too_short', {}, 'configuration')
  const keyring = new rc.Keyring(1, new rc.CodeSecret(Buffer.alloc(32, 1)))
  const policy = rc.LinkPolicy.passwordReset()
  const token = policy.issue(keyring, 'u', { now: t0 })
  throwsCoded(() => policy.verify(keyring, token, { now: new Date(t0.getTime() + 7200e3) }), 'token.expired', {}, 'expired')
  throwsCoded(() => policy.verify(keyring, token, { now: new Date('x') }), 'binding.invalid_date', {}, 'invalid_input')
})

test('Diagnostics returned as data carry kinds too', () => {
  const report = rc.PasswordPolicy.upsSite().check('short')
  assert.ok(report.violations.length > 0)
  for (const v of report.violations) assert.equal(v.kind, 'invalid_input')
  for (const rule of rc.PasswordPolicy.upsSite().describe()) assert.ok(KINDS.includes(rule.kind))

  const secret = new rc.CodeSecret(Buffer.alloc(32, 1))
  const codes = rc.CodePolicy.signUp()
  const { code, state } = codes.issue(secret, 'u', null, t0)
  const wrong = codes.verify(secret, 'u', code === '000000' ? '111111' : '000000', state, t0)
  assert.equal(wrong.ok, false)
  assert.equal(wrong.rejection.code, 'code.wrong')
  assert.equal(wrong.rejection.kind, 'rejected')
  const late = codes.verify(secret, 'u', '000000', state, new Date(t0.getTime() + 2 * 86400e3))
  assert.equal(late.rejection.code, 'code.expired')
  assert.equal(late.rejection.kind, 'expired')

  const lockout = rc.LockoutPolicy.deviceEntry()
  let s = { failures: 0, lockedUntil: null, lastAttempt: null }
  for (let i = 0; i < 3; i++) s = lockout.recordFailure(s, t0)
  assert.equal(lockout.check(s, t0).error.kind, 'locked')
})

test('malformed JSON is binding.malformed_json naming what it should have been', () => {
  const cases = [
    [() => rc.PasswordPolicy.fromJSON('{'), 'password_policy'],
    [() => rc.LockoutPolicy.fromJSON('[]'), 'lockout_policy'],
    [() => rc.CodePolicy.fromJSON('nope'), 'code_policy'],
    [() => rc.Ledger.fromJSON('{"x":1}'), 'ledger'],
    [() => rc.DealerAccount.fromJSON('1'), 'dealer_account'],
    [() => rc.GatewayMaintenance.fromJSON(''), 'gateway_maintenance'],
  ]
  for (const [fn, what] of cases) {
    throwsCoded(fn, 'binding.malformed_json', { what }, 'invalid_input')
  }
  // The parser's reason is quoted safely: no raw control characters.
  try {
    rc.Ledger.fromJSON('"\u202e\u0000')
  } catch (err) {
    assert.ok(!/[\u0000-\u001f\u202a-\u202e]/.test(err.message + err.messageJa), err.message)
  }
})

test('unknown names are binding.unknown_name; an unknown preset is policy.unknown_preset', () => {
  const master = new rc.MasterSecret(1, Buffer.alloc(32, 1))
  throwsCoded(() => master.deviceKey('printer'), 'binding.unknown_name', { name: 'kind', value: 'printer' }, 'invalid_input')
  throwsCoded(() => rc.deriveCodeKey(new rc.CodeSecret(Buffer.alloc(32)), 'signup', 'u'), 'binding.unknown_name', {
    name: 'purpose',
  })
  const key = master.activationAuthority().mint(1, 1)
  throwsCoded(() => new rc.IssuanceRequest('0123456789ABCDEF', [key], 'Real'), 'binding.unknown_name', { name: 'mode' })
  throwsCoded(() => new rc.IssuanceRequest('0123456789ABCDEF', [key], 'real', 'root'), 'binding.unknown_name', {
    name: 'viewer',
    expected: 'customer,admin',
  })
  // A long name is clipped to 64 characters in the error.
  try {
    master.deviceKey('x'.repeat(500))
  } catch (err) {
    assert.equal(err.params.value.length, 64)
  }
  throwsCoded(() => rc.PasswordPolicy.preset('ups-site'), 'policy.unknown_preset', { name: 'ups-site' }, 'configuration')
})

test('schema migrations and version come from core', () => {
  const migrations = rc.schemaMigrations()
  assert.equal(typeof rc.SCHEMA_VERSION, 'number')
  assert.ok(migrations.length >= 1)
  migrations.forEach((m, i) => {
    assert.equal(m.version, i + 1)
    assert.equal(typeof m.sql, 'string')
    assert.ok(m.sql.includes('{prefix}'))
  })
  assert.equal(migrations[migrations.length - 1].version, rc.SCHEMA_VERSION)
})
