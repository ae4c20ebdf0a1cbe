'use strict'
// Boundary tests of password policies: every violation as data, presets,
// custom JSON policies, history via Argon2 (sync and async), password age.
const test = require('node:test')
const assert = require('node:assert/strict')
const rc = require('..')
const { throwsCoded } = require('./helpers')

const fast = { memoryKib: 1024, iterations: 1, parallelism: 1 }

test('check returns every violation with code, params, both messages, severity', () => {
  const report = rc.PasswordPolicy.upsSite().check('ａbc')
  assert.equal(report.ok, false)
  assert.equal(report.acceptable, false)
  assert.equal(report.mustChange, false)
  const codes = report.violations.map((v) => v.code)
  assert.ok(codes.includes('password.too_short'))
  assert.ok(codes.includes('password.fullwidth_character'))
  assert.ok(codes.includes('password.missing_digit'))
  const short = report.violations.find((v) => v.code === 'password.too_short')
  assert.deepEqual(short.params, { min: '10', actual: '3' })
  assert.deepEqual(Object.keys(short.params), ['min', 'actual'], 'params keep core order')
  assert.equal(short.severity, 'reject')
  assert.ok(short.message.length > 0 && short.messageJa.length > 0)
  assert.equal(rc.PasswordPolicy.upsSite().check('Abcdef12#x').ok, true)
})

test('presets are reachable by factory and by name', () => {
  const names = rc.PasswordPolicy.presetNames()
  assert.ok(names.includes('ups_site') && names.includes('nist_800_63b'))
  for (const name of names) {
    const p = rc.PasswordPolicy.preset(name)
    assert.ok(p instanceof rc.PasswordPolicy, name)
    assert.equal(rc.PasswordPolicy.fromJSON(p.toJSON()).toJSON(), p.toJSON())
  }
  // An unknown name is a coded error (kind configuration), never null.
  throwsCoded(() => rc.PasswordPolicy.preset('nope'), 'policy.unknown_preset', {
    name: 'nope',
    expected: names.join(','),
  }, 'configuration')
  throwsCoded(() => rc.PasswordPolicy.preset('UPS_SITE'), 'policy.unknown_preset')
  const factories = ['upsSite', 'monitoringService', 'kms', 'deviceAdminPin', 'nist80063b', 'nist80063bMfa']
  assert.deepEqual(
    factories.map((f) => rc.PasswordPolicy[f]().toJSON()),
    ['ups_site', 'monitoring_service', 'kms', 'device_admin_pin', 'nist_800_63b', 'nist_800_63b_mfa'].map((n) => rc.PasswordPolicy.preset(n).toJSON()),
  )
  const pin = rc.PasswordPolicy.deviceAdminPin().check('00000000')
  assert.equal(pin.acceptable, true)
  assert.equal(pin.mustChange, true)
  assert.equal(pin.violations[0].code, 'password.default_credential')
  assert.equal(pin.violations[0].severity, 'must_change')
  assert.ok(rc.PasswordPolicy.kms().check('abcd1234').violations.some((v) => v.code === 'password.sequential_run'))
})

test('context: user ID, e-mail, blocklist', () => {
  const p = rc.PasswordPolicy.nist80063b()
  const r = p.check('taro.yamada-is-my-password', { userId: 'taro.yamada', email: 'taro.yamada@example.jp', blocklist: ['acme'] })
  assert.ok(r.violations.some((v) => v.code === 'password.contains_user_id'))
  assert.ok(p.check('acme', { blocklist: ['acme'] }).violations.length > 0)
  assert.ok(p.check('password').violations.some((v) => v.code === 'password.common_password'))
})

test('custom policies from JSON; inconsistent ones throw policy.*', () => {
  const parts = JSON.parse(rc.PasswordPolicy.upsSite().toJSON())
  parts.min_length = 12
  const custom = rc.PasswordPolicy.fromJSON(JSON.stringify(parts))
  assert.equal(custom.check('Abcdef12#x').violations[0].code, 'password.too_short')
  parts.min_length = 0
  throwsCoded(() => rc.PasswordPolicy.fromJSON(JSON.stringify(parts)), 'policy.invalid_length')
  throwsCoded(() => rc.PasswordPolicy.fromJSON('{"min_length": 1, "unknown": true}'), 'binding.malformed_json', {
    what: 'password_policy',
  }, 'invalid_input')
})

test('describe lists the rules for the sign-up form', () => {
  const rules = rc.PasswordPolicy.upsSite().describe()
  assert.equal(rules[0].code, 'password.rule.length')
  assert.deepEqual(rules[0].params, { min: '10', max: '16' })
  assert.ok(rules.every((r) => r.code.startsWith('password.rule.') && r.message && r.messageJa))
  // A check-time blocklist adds the rule that claims password.common_password.
  const withContext = rc.PasswordPolicy.upsSite().describe({ blocklist: ['Company-2026!'] })
  assert.equal(withContext.length, rules.length + 1)
  const added = withContext.filter((r) => !rules.some((s) => s.code === r.code))
  assert.deepEqual(
    added.map((r) => r.code),
    ['password.rule.not_common'],
  )
})

test('history: reused passwords found via Argon2, sync and async', async () => {
  const policy = rc.PasswordPolicy.upsSite()
  const previous = [rc.hashPasswordSync('Abcdef12#x', { params: fast }), 'not-a-phc']
  const sync = policy.check('Abcdef12#x', { previousHashes: previous })
  const promise = policy.checkAsync('Abcdef12#x', { previousHashes: previous })
  assert.ok(promise instanceof Promise)
  const async_ = await promise
  assert.deepEqual(async_, sync)
  const parts = JSON.parse(policy.toJSON())
  if (parts.history_depth > 0) {
    assert.ok(sync.violations.some((v) => v.code === 'password.reused_password'))
  }
  throwsCoded(() => policy.check('x', { previousHashes: previous, pepper: Buffer.alloc(3) }), 'hash.invalid_pepper')
  await assert.rejects(policy.checkAsync('Abcdef12#x', { previousHashes: previous, pepper: Buffer.alloc(3) }), (e) => e.code === 'hash.invalid_pepper')
})

test('password age with Dates', () => {
  const p = rc.PasswordPolicy.upsSite()
  const changed = new Date('2026-01-01T00:00:00Z')
  const day = 86400000
  assert.deepEqual(p.passwordAge(changed, new Date(changed.getTime() + 10 * day)), { state: 'fresh' })
  assert.deepEqual(p.passwordAge(changed, new Date(changed.getTime() + 170 * day)), { state: 'expires_soon', daysLeft: 10 })
  assert.deepEqual(p.passwordAge(changed, new Date(changed.getTime() + 180 * day)), { state: 'expired' })
  assert.deepEqual(rc.PasswordPolicy.nist80063b().passwordAge(changed), { state: 'fresh' })
  throwsCoded(() => p.passwordAge(new Date(NaN)), 'binding.invalid_date')
})
