'use strict'
// The one-time-code and link-token vectors of core (core/tests/vectors/
// codes.json, tokens.json and the appended code_outcomes.json and
// token_failures.json) reproduced through the Node binding: same inputs,
// same outputs, same error codes.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const rc = require('..')

function load(name) {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'core', 'tests', 'vectors', name), 'utf8'))
}

const at = (secs) => new Date(secs * 1000)
const secret = (hex) => new rc.CodeSecret(Buffer.from(hex, 'hex'))
const policy = (purpose, lifetimeSecs, maxAttempts = 5) =>
  rc.CodePolicy.fromJSON(JSON.stringify({ purpose, lifetime_secs: lifetimeSecs, max_attempts: maxAttempts }))

test('codes.json: keys, counters and codes', () => {
  const { cases } = load('codes.json')
  assert.ok(cases.length >= 20)
  for (const c of cases) {
    const s = secret(c.secret_hex)
    assert.equal(rc.deriveCodeKey(s, c.purpose, c.subject).toString('hex'), c.key_hex)
    const previous =
      c.generation > 1 ? rc.decodeCodeState(`c1.${c.series}.${c.generation - 1}.${c.series}.0.0`) : null
    const issued = policy(c.purpose, 3600).issue(s, c.subject, previous, at(c.series))
    if (c.generation > 1) {
      assert.equal(rc.codeCounter(issued.state).toString(16).padStart(16, '0'), c.counter_hex)
      assert.equal(issued.code, c.code)
    }
    assert.equal(rc.hotp6(rc.deriveCodeKey(s, c.purpose, c.subject), BigInt(`0x${c.counter_hex}`)), Number(c.code))
  }
})

test('tokens.json: tokens re-issued byte for byte', () => {
  const doc = load('tokens.json')
  const keys = new Map(doc.keys.map((k) => [k.key_id, k.secret_hex]))
  for (const c of doc.cases) {
    const ring = new rc.Keyring(c.key_id, secret(keys.get(c.key_id)))
    const link = new rc.LinkPolicy(c.purpose, c.lifetime_secs)
    const options = { generation: c.generation, binding: Buffer.from(c.binding_hex, 'hex'), now: at(c.issued_at) }
    if (c.phone === null) {
      assert.equal(link.issue(ring, c.subject, options), c.token)
      assert.equal(link.verify(ring, c.token, options).subject, c.subject)
    } else {
      const reg = new rc.ProvisionalRegistration(link)
      assert.equal(reg.issue(ring, c.subject, c.phone, options), c.token)
      assert.equal(reg.complete(ring, c.token, c.phone, options).subject, c.subject)
    }
  }
})

test('code_outcomes.json: every verification outcome', () => {
  const doc = load('code_outcomes.json')
  for (const c of doc.cases) {
    const p = policy(c.purpose, c.lifetime_secs, c.max_attempts)
    const v = p.verify(secret(c.secret_hex), c.subject, c.typed, rc.decodeCodeState(c.state), at(c.now))
    assert.equal(rc.encodeCodeState(v.state), c.state_after, c.name)
    assert.equal(v.ok, c.ok, c.name)
    if (!c.ok) {
      assert.equal(v.rejection.code, c.error, c.name)
      const left = v.rejection.params.attempts_left
      assert.equal(left, c.attempts_left === null ? undefined : String(c.attempts_left), c.name)
    }
  }
  for (const c of doc.issues) {
    const s = secret(c.secret_hex)
    const previous = c.previous === null ? null : rc.decodeCodeState(c.previous)
    const issued = policy(c.purpose, 3600).issue(s, c.subject, previous, at(c.now))
    assert.equal(rc.encodeCodeState(issued.state), c.state, c.name)
    assert.equal(rc.codeCounter(issued.state).toString(16).padStart(16, '0'), c.counter_hex, c.name)
    assert.equal(issued.code, c.code, c.name)
    assert.equal(rc.deriveCodeKey(s, c.purpose, c.subject).toString('hex'), c.key_hex, c.name)
  }
})

test('token_failures.json: every refusal, in the order of the checks', () => {
  const doc = load('token_failures.json')
  const [first, ...rest] = doc.keys
  let ring = new rc.Keyring(first.key_id, secret(first.secret_hex))
  for (const k of rest) ring = ring.withKey(k.key_id, secret(k.secret_hex))
  for (const c of doc.cases) {
    const link = new rc.LinkPolicy(c.purpose, 3600)
    const options = { generation: c.current_generation, binding: Buffer.from(c.binding_hex, 'hex'), now: at(c.now) }
    let error = null
    try {
      if (c.check === 'verify') link.verify(ring, c.token, options)
      else new rc.ProvisionalRegistration(link).complete(ring, c.token, c.phone, options)
    } catch (err) {
      assert.equal(err.name, 'RegcoreError', String(err))
      error = err
    }
    if (c.ok) {
      assert.equal(error, null, c.name)
    } else {
      assert.notEqual(error, null, c.name)
      assert.equal(error.code, c.error, c.name)
      assert.equal(error.params.reason, c.reason === null ? undefined : c.reason, c.name)
    }
  }
})
