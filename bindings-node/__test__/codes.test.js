'use strict'
// Boundary tests of one-time codes, link tokens and sessions, plus the frozen
// code/token vectors reproduced through Node.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const rc = require('..')
const { throwsCoded } = require('./helpers')

const vectorDir = path.join(__dirname, '..', '..', 'core', 'tests', 'vectors')
const load = (name) => JSON.parse(fs.readFileSync(path.join(vectorDir, name), 'utf8'))
const secret = new rc.CodeSecret(Buffer.alloc(32, 5))
const t0 = new Date('2026-04-01T00:00:00Z')
const at = (secs) => new Date(t0.getTime() + secs * 1000)

test('code vectors (codes.json) through issue, deriveCodeKey and hotp6', () => {
  const { cases } = load('codes.json')
  assert.ok(cases.length >= 20)
  for (const c of cases) {
    const s = new rc.CodeSecret(Buffer.from(c.secret_hex, 'hex'))
    const key = rc.deriveCodeKey(s, c.purpose, c.subject)
    assert.equal(key.toString('hex'), c.key_hex)
    assert.equal(rc.hotp6(key, BigInt('0x' + c.counter_hex)), Number(c.code))
    const policy = rc.CodePolicy[{ sign_up: 'signUp', email_change: 'emailChange', password_reset: 'passwordReset' }[c.purpose]]()
    const previous = { series: c.series, generation: c.generation - 1, issuedAt: t0, attempts: 0, used: false }
    const issued = policy.issue(s, c.subject, previous, t0)
    assert.equal(issued.code, c.code)
    assert.equal(issued.state.generation, c.generation)
    assert.equal(issued.state.series, c.series)
    assert.equal(rc.codeCounter(issued.state), BigInt('0x' + c.counter_hex))
    assert.equal(rc.hotp6(key, rc.codeCounter(issued.state)), Number(c.code))
  }
})

test('codes: issue, verify, supersede, burn; rejections as data', () => {
  const policy = rc.CodePolicy.passwordReset()
  assert.equal(policy.purpose, 'password_reset')
  assert.equal(policy.lifetimeSecs, 3600)
  assert.equal(policy.maxAttempts, 5)
  const first = policy.issue(secret, 'user-1', null, t0)
  assert.match(first.code, /^\d{6}$/)
  assert.ok(first.state.issuedAt instanceof Date)
  const second = policy.issue(secret, 'user-1', first.state, at(10))
  assert.equal(second.state.generation, first.state.generation + 1)

  let v = policy.verify(secret, 'user-1', first.code, second.state, at(20))
  if (first.code !== second.code) {
    assert.equal(v.ok, false)
    assert.equal(v.rejection.code, 'code.superseded')
    assert.equal(v.rejection.params.attempts_left, '4')
    assert.equal(v.state.attempts, 1)
  }
  v = policy.verify(secret, 'user-1', '１２３-４５６', second.state, at(20))
  assert.equal(v.ok, second.code === '123456')
  v = policy.verify(secret, 'user-1', 'abc', second.state, at(20))
  assert.equal(v.rejection.code, 'code.malformed')
  assert.equal(v.state.attempts, second.state.attempts)

  v = policy.verify(secret, 'user-1', second.code, second.state, at(30))
  assert.equal(v.ok, true)
  assert.equal(v.rejection, undefined)
  assert.equal(v.state.used, true)
  assert.equal(policy.verify(secret, 'user-1', second.code, v.state, at(31)).rejection.code, 'code.already_used')

  const expired = policy.verify(secret, 'user-1', second.code, second.state, at(10 + 3600))
  assert.equal(expired.rejection.code, 'code.expired')
  assert.equal(policy.isExpired(second.state, at(10 + 3600)), true)
  assert.equal(policy.isExpired(second.state, at(11)), false)
  assert.equal(policy.expiresAt(second.state).getTime(), at(10 + 3600).getTime())

  let s = second.state
  const wrong = second.code === '000000' ? '000001' : '000000'
  for (let i = 0; i < 5; i++) s = policy.verify(secret, 'user-1', wrong, s, at(40)).state
  assert.equal(policy.verify(secret, 'user-1', second.code, s, at(41)).rejection.code, 'code.too_many_attempts')

  const longer = rc.CodePolicy.signUp().withLifetimeSecs(60)
  assert.equal(longer.lifetimeSecs, 60)
  assert.equal(rc.CodePolicy.fromJSON(longer.toJSON()).lifetimeSecs, 60)
  assert.equal(rc.CodePolicy.emailChange().lifetimeSecs, 86400)
})

test('code state encodings and secrets', () => {
  const { state } = rc.CodePolicy.signUp().issue(secret, 'u', null, t0)
  const text = rc.encodeCodeState(state)
  assert.match(text, /^c1\./)
  assert.deepEqual(rc.decodeCodeState(text), state)
  assert.deepEqual(rc.codeStateFromBytes(rc.codeStateToBytes(state)), state)
  throwsCoded(() => rc.decodeCodeState('c9.x'), 'code.malformed_state')
  throwsCoded(() => rc.codeStateFromBytes(new Uint8Array([0])), 'code.malformed_state')
  throwsCoded(() => new rc.CodeSecret(Buffer.alloc(31)), 'secret.too_short', { min: '32', actual: '31' })
  assert.equal(String(secret), 'CodeSecret(<redacted>)')
  throwsCoded(() => rc.hotp6(Buffer.alloc(32), -1n), 'binding.integer_out_of_range', { name: 'counter' })
  throwsCoded(() => rc.hotp6(Buffer.alloc(32), 2n ** 64n), 'binding.integer_out_of_range', {
    max: '18446744073709551615',
  })
  assert.equal(rc.hotp6(Buffer.alloc(32), 5), rc.hotp6(Buffer.alloc(32), 5n))
  throwsCoded(() => rc.deriveCodeKey(secret, 'nope', 'u'), 'binding.unknown_name', {
    name: 'purpose',
    value: 'nope',
    expected: 'sign_up,email_change,password_reset',
  })
})

test('token vectors (tokens.json) through LinkPolicy and ProvisionalRegistration', () => {
  const v = load('tokens.json')
  const secrets = Object.fromEntries(v.keys.map((k) => [k.key_id, new rc.CodeSecret(Buffer.from(k.secret_hex, 'hex'))]))
  assert.ok(v.cases.length >= 20)
  for (const c of v.cases) {
    const keyring = new rc.Keyring(c.key_id, secrets[c.key_id])
    const policy = new rc.LinkPolicy(c.purpose, c.lifetime_secs)
    const options = { generation: c.generation, binding: Buffer.from(c.binding_hex, 'hex'), now: new Date(c.issued_at * 1000) }
    const token = c.phone === null
      ? policy.issue(keyring, c.subject, options)
      : new rc.ProvisionalRegistration(policy).issue(keyring, c.subject, c.phone, options)
    assert.equal(token, c.token, JSON.stringify(c))
    const claims = rc.peekLink(token)
    assert.equal(claims.subject, c.subject)
    assert.equal(claims.issuedAt.getTime(), c.issued_at * 1000)
    assert.equal(claims.requiresPhone, c.phone !== null)
  }
})

test('links: verify, bind, supersede, rotate, phone completion', () => {
  const keyring = new rc.Keyring(1, secret)
  assert.equal(keyring.currentKeyId, 1)
  const policy = rc.LinkPolicy.passwordReset()
  assert.equal(policy.purpose, 'password_reset')
  assert.equal(policy.lifetimeSecs, 3600)
  const token = policy.issue(keyring, 'user-42', { generation: 3, binding: '$argon2id$old', now: t0 })
  assert.match(token, /^[A-Za-z0-9_-]+$/)
  const claims = policy.verify(keyring, token, { generation: 3, binding: '$argon2id$old', now: at(60) })
  assert.equal(claims.subject, 'user-42')
  assert.equal(claims.expiresAt.getTime(), at(3600).getTime())
  throwsCoded(() => policy.verify(keyring, token, { generation: 3, binding: '$argon2id$new', now: at(60) }), 'token.invalid', { reason: 'bad_signature' })
  throwsCoded(() => policy.verify(keyring, token, { generation: 4, binding: '$argon2id$old', now: at(60) }), 'token.superseded')
  throwsCoded(() => policy.verify(keyring, token, { generation: 3, binding: '$argon2id$old', now: at(3600) }), 'token.expired')
  throwsCoded(() => policy.verify(keyring, 'not a token', {}), 'token.malformed')
  throwsCoded(() => rc.peekLink('%%%'), 'token.malformed')
  throwsCoded(() => policy.issue(keyring, 'x'.repeat(256), { now: t0 }), 'token.claim_too_long')

  const secret2 = new rc.CodeSecret(Buffer.alloc(32, 6))
  const rotated = keyring.withKey(2, secret2).rotateTo(2)
  assert.equal(rotated.currentKeyId, 2)
  assert.equal(keyring.currentKeyId, 1)
  policy.verify(rotated, token, { generation: 3, binding: '$argon2id$old', now: at(60) })
  throwsCoded(() => keyring.rotateTo(9), 'token.invalid', { reason: 'unknown_key' })

  const reg = new rc.ProvisionalRegistration()
  const link = reg.issue(keyring, 'application-7', '090-1234-5678', { now: t0 })
  const done = reg.complete(keyring, link, rc.PhoneNumber.parse('０９０１２３４５６７８'), { now: at(3600) })
  assert.equal(done.subject, 'application-7')
  assert.equal(done.purpose, 'provisional_registration')
  throwsCoded(() => reg.complete(keyring, link, '090-0000-0000', { now: at(10) }), 'token.phone_mismatch')
  throwsCoded(() => reg.complete(keyring, link, '12', { now: at(10) }), 'identifier.too_short')
  throwsCoded(() => rc.LinkPolicy.provisionalRegistration().verify(keyring, link, { now: at(10) }), 'token.invalid', { reason: 'phone_required' })
  // Defaults: generation 0, no binding, system clock.
  const now = policy.issue(keyring, 'u')
  assert.ok(Math.abs(rc.peekLink(now).issuedAt.getTime() - Date.now()) < 5000)
  policy.verify(keyring, now)
})

test('sessions', () => {
  const policy = rc.SessionPolicy.upsSite()
  assert.equal(policy.idleTimeoutSecs, 1800)
  assert.equal(policy.absoluteTimeoutSecs, null)
  const s = policy.start(t0)
  assert.equal(s.startedAt.getTime(), t0.getTime())
  const touched = policy.touch(s, at(1799))
  assert.equal(touched.status, 'active')
  assert.equal(touched.state.lastSeen.getTime(), at(1799).getTime())
  assert.deepEqual(policy.touch(touched.state, at(1799 + 1800)), { status: 'idle_expired' })
  const capped = new rc.SessionPolicy(1800, 3600)
  assert.equal(capped.absoluteTimeoutSecs, 3600)
  let st = capped.start(t0)
  for (let i = 1; i <= 3; i++) st = capped.touch(st, at(i * 1000)).state
  assert.equal(capped.touch(st, at(3600)).status, 'absolute_expired')
  throwsCoded(() => new rc.SessionPolicy(-5), 'binding.integer_out_of_range', { name: 'idleTimeoutSecs' })
  throwsCoded(() => new rc.SessionPolicy(0.5), 'binding.invalid_integer', { name: 'idleTimeoutSecs' })
  assert.ok(Math.abs(policy.start().startedAt.getTime() - Date.now()) < 5000)
})
