'use strict'
// Boundary tests of lockout: state objects with Dates, decisions as data,
// encodings, presets reachable, coded errors.
const test = require('node:test')
const assert = require('node:assert/strict')
const rc = require('..')
const { throwsCoded } = require('./helpers')

const fresh = { failures: 0, lockedUntil: null, lastAttempt: null }
const t0 = new Date('2026-04-01T00:00:00Z')
const at = (secs) => new Date(t0.getTime() + secs * 1000)

test('UPS site walk through the binding: lock lengths, refusal data', () => {
  const policy = rc.LockoutPolicy.upsSite()
  let state = fresh
  for (let n = 1; n <= 4; n++) {
    assert.equal(policy.check(state, at(n)).allowed, true)
    state = policy.recordFailure(state, at(n))
    assert.equal(state.failures, n)
    assert.equal(state.lockedUntil, null)
  }
  state = policy.recordFailure(state, at(5))
  assert.equal(state.failures, 5)
  assert.ok(state.lockedUntil instanceof Date)
  assert.equal(state.lockedUntil.getTime(), at(6).getTime())
  assert.ok(state.lastAttempt instanceof Date)

  const d = policy.check(state, at(5.5))
  assert.equal(d.allowed, false)
  assert.equal(d.retryAfterSecs, 1)
  assert.equal(d.lockedUntil.getTime(), at(6).getTime())
  assert.equal(d.error.code, 'lockout.locked')
  assert.equal(d.error.params.retry_after_secs, '1')
  assert.ok(d.error.messageJa.includes('1秒'))
  const attempt = policy.attempt(state, at(5.5))
  assert.equal(attempt.allowed, false)
  assert.equal(attempt.newState, undefined)

  // A refused attempt recorded anyway changes nothing.
  assert.deepEqual(policy.recordFailure(state, at(5.5)), state)
  assert.deepEqual(policy.recordSuccess(state, at(5.5)), state)
  assert.equal(policy.attempt(state, at(6)).allowed, true)
  const ok = policy.recordSuccess(state, at(6))
  assert.equal(ok.failures, 0)
  assert.equal(policy.lockSecs(5), 1)
  assert.equal(policy.lockSecs(15), 900)
  assert.equal(policy.lockSecs(4_000_000_000), 900)
  assert.equal(policy.threshold, 5)
  assert.equal(policy.maxLockSecs, 900)
})

test('omitted now uses the system clock', () => {
  const policy = rc.LockoutPolicy.deviceEntry()
  let s = fresh
  for (let i = 0; i < 3; i++) s = policy.recordFailure(s)
  const d = policy.check(s)
  assert.equal(d.allowed, false)
  assert.ok(Math.abs(s.lastAttempt.getTime() - Date.now()) < 5000)
  assert.equal(d.retryAfterSecs, 30)
})

test('every preset and builder is reachable and JSON round-trips', () => {
  const policies = [
    rc.LockoutPolicy.upsSite(),
    rc.LockoutPolicy.deviceEntry(),
    rc.LockoutPolicy.aspnetIdentity(),
    rc.LockoutPolicy.devise(),
    rc.LockoutPolicy.keycloak(),
    rc.LockoutPolicy.keycloakMultiple(30, 60, 900, 43200),
    rc.LockoutPolicy.keycloakLinear(30, 60, 900, 43200),
    rc.LockoutPolicy.fixed(5, 300),
    rc.LockoutPolicy.tiers([
      { failures: 3, lockSecs: 60 },
      { failures: 6, lockSecs: 600 },
    ]),
  ]
  for (const p of policies) {
    p.validate()
    const json = p.toJSON()
    assert.equal(typeof json, 'string')
    assert.equal(rc.LockoutPolicy.fromJSON(json).toJSON(), json)
  }
  assert.equal(rc.LockoutPolicy.fixed(5, 300).lockSecs(5), 300)
  assert.equal(rc.LockoutPolicy.tiers([{ failures: 3, lockSecs: 60 }]).lockSecs(3), 60)
  throwsCoded(() => rc.LockoutPolicy.fixed(5, -1), 'binding.integer_out_of_range', { name: 'lockSecs' })
  throwsCoded(() => rc.LockoutPolicy.fromJSON('{'), 'binding.malformed_json', { what: 'lockout_policy' }, 'invalid_input')
  const bad = JSON.parse(rc.LockoutPolicy.upsSite().toJSON())
  bad.max_lock_secs = 0
  assert.throws(() => rc.LockoutPolicy.fromJSON(JSON.stringify(bad)).validate(), (e) => e.code === 'lockout.invalid_policy')
})

test('state encodings round-trip and reject garbage with codes', () => {
  const policy = rc.LockoutPolicy.upsSite()
  let s = fresh
  for (let n = 1; n <= 6; n++) s = policy.recordFailure(s, at(n))
  const text = rc.encodeLockoutState(s)
  assert.match(text, /^l1\.6\.\d+\.\d+$/)
  assert.deepEqual(rc.decodeLockoutState(text), s)
  assert.equal(rc.encodeLockoutState(fresh), 'l1.0..')
  assert.deepEqual(rc.decodeLockoutState('l1.0..'), fresh)
  const bytes = rc.lockoutStateToBytes(s)
  assert.ok(Buffer.isBuffer(bytes))
  assert.deepEqual(rc.lockoutStateFromBytes(bytes), s)
  throwsCoded(() => rc.decodeLockoutState('garbage'), 'lockout.malformed_state')
  throwsCoded(() => rc.lockoutStateFromBytes(Buffer.from([1, 2])), 'lockout.malformed_state')
})

test('invalid Dates and wrong shapes are rejected', () => {
  const policy = rc.LockoutPolicy.upsSite()
  throwsCoded(() => policy.check(fresh, new Date(NaN)), 'binding.invalid_date')
  throwsCoded(() => policy.check({ failures: 1, lockedUntil: new Date('x'), lastAttempt: null }, t0), 'binding.invalid_date')
  assert.throws(() => policy.check({ failures: 1, lockedUntil: 5, lastAttempt: null }, t0))
  assert.throws(() => policy.check(fresh, Date.now()))
})
