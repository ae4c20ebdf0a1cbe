'use strict'
// Owned, single-use lockout admission (docs/lockout.md ("Several servers,
// one account")): policy.attempt(state, now) counts the attempt as a failure
// before the password is checked; settling it twice throws
// lockout.admission_used; on one server it stores exactly what
// attempt + recordFailure/recordSuccess store; through a compare-and-set
// cell a burst gets at most the free tries the policy has left.
const test = require('node:test')
const assert = require('node:assert/strict')
const rc = require('..')
const { throwsCoded } = require('./helpers')

const fresh = { failures: 0, lockedUntil: null, lastAttempt: null }
const t0 = new Date('2026-04-01T00:00:00Z')
const at = (secs) => new Date(t0.getTime() + secs * 1000)

test('admit: the attempt is counted before the check; settled once only', () => {
  const policy = rc.LockoutPolicy.upsSite()
  const a = policy.attempt(fresh, at(1))
  assert.ok(a instanceof rc.LockoutAdmission)
  assert.equal(a.allowed, true)
  assert.deepEqual(a.previous, fresh)
  assert.deepEqual(a.state, policy.recordFailure(fresh, at(1)))
  assert.equal(a.state.failures, 1)
  assert.equal(a.admittedAt.getTime(), at(1).getTime())
  assert.equal(a.settled, false)

  // Wrong password: nothing more to write.
  assert.deepEqual(a.failure(), a.state)
  assert.equal(a.settled, true)
  throwsCoded(() => a.failure(), 'lockout.admission_used', {}, 'invalid_input')
  throwsCoded(() => a.success(), 'lockout.admission_used', {}, 'invalid_input')
  // The values stay readable after settling.
  assert.equal(a.state.failures, 1)

  // Right password: a success applied to whatever is stored by then, as
  // often as a compare-and-set loop needs.
  const b = policy.attempt(a.state, at(2))
  const s = b.success()
  assert.ok(s instanceof rc.LockoutSuccess)
  throwsCoded(() => b.success(), 'lockout.admission_used')
  throwsCoded(() => b.failure(), 'lockout.admission_used')
  const later = { failures: 3, lockedUntil: null, lastAttempt: at(3) }
  assert.deepEqual(s.apply(b.state), { failures: 0, lockedUntil: null, lastAttempt: at(2) })
  // lastAttempt never moves backwards.
  assert.deepEqual(s.apply(later), { failures: 0, lockedUntil: null, lastAttempt: at(3) })
  assert.deepEqual(s.apply(later), s.apply(later))
})

test('admit: refused while locked, in the attempt shape', () => {
  const policy = rc.LockoutPolicy.upsSite()
  let state = fresh
  for (let n = 1; n <= 5; n++) state = policy.recordFailure(state, at(n))
  const r = policy.attempt(state, at(5.5))
  assert.ok(!(r instanceof rc.LockoutAdmission))
  assert.equal(r.allowed, false)
  assert.equal(r.retryAfterSecs, 1)
  assert.equal(r.lockedUntil.getTime(), at(6).getTime())
  assert.equal(r.error.code, 'lockout.locked')
  assert.equal(r.error.kind, 'locked')
  assert.equal(r.newState, undefined)
  assert.deepEqual(r, policy.attempt(state, at(5.5)))
  assert.ok(policy.attempt(state, at(6)) instanceof rc.LockoutAdmission)
})

// A deterministic pseudo-random sequence (times sometimes going backwards).
function* events(seed, n) {
  let x = seed
  const next = () => {
    x = (x * 1103515245 + 12345) % 2 ** 31
    return x / 2 ** 31
  }
  let t = 0
  for (let i = 0; i < n; i++) {
    const r = next()
    t += r < 0.05 ? -30 : r < 0.6 ? next() * 3 : next() * 1200
    yield { now: at(Math.round(t * 1000) / 1000), correct: next() < 0.25 }
  }
}

test('admit on one server stores exactly what attempt + record store', () => {
  const policies = {
    upsSite: rc.LockoutPolicy.upsSite(),
    deviceEntry: rc.LockoutPolicy.deviceEntry(),
    aspnetIdentity: rc.LockoutPolicy.aspnetIdentity(),
    devise: rc.LockoutPolicy.devise(),
    keycloak: rc.LockoutPolicy.keycloak(),
    fixed: rc.LockoutPolicy.fixed(3, 60),
    tiers: rc.LockoutPolicy.tiers([
      { failures: 2, lockSecs: 5 },
      { failures: 4, lockSecs: 120 },
    ]),
  }
  let admitted = 0
  let refused = 0
  for (const [name, policy] of Object.entries(policies)) {
    for (const seed of [1, 2, 3]) {
      let viaAttempt = fresh
      let viaAdmit = fresh
      for (const [i, e] of [...events(seed, 300)].entries()) {
        const d = policy.attempt(viaAttempt, e.now)
        if (d.allowed) {
          viaAttempt = e.correct ? policy.recordSuccess(viaAttempt, e.now) : policy.recordFailure(viaAttempt, e.now)
        } else if (d.newState) {
          viaAttempt = d.newState
        }

        const r = policy.attempt(viaAdmit, e.now)
        if (r instanceof rc.LockoutAdmission) {
          admitted++
          assert.equal(d.allowed, true, `${name}/${seed}/${i}`)
          viaAdmit = r.state // stored before the check
          viaAdmit = e.correct ? r.success().apply(viaAdmit) : r.failure()
        } else {
          refused++
          assert.deepEqual(r, d, `${name}/${seed}/${i}`)
          if (r.newState) viaAdmit = r.newState
        }
        assert.deepEqual(viaAdmit, viaAttempt, `${name}/${seed}/${i}`)
      }
    }
  }
  assert.ok(admitted > 100 && refused > 100, `${admitted} admitted, ${refused} refused`)
})

/** A store cell holding the encoded state, written only by compare-and-set. */
function cell(state) {
  let value = rc.encodeLockoutState(state)
  return {
    read: () => value,
    cas(expected, next) {
      if (value !== expected) return false
      value = next
      return true
    },
  }
}

test('a burst through a compare-and-set cell admits at most 5 on upsSite', () => {
  const policy = rc.LockoutPolicy.upsSite()
  const store = cell(fresh)
  const now = at(10)
  // 20 simultaneous attempts with a wrong password: each round every pending
  // attempt reads the cell, then they write in turn; losers read again.
  let pending = Array.from({ length: 20 }, (_, i) => i)
  let admitted = 0
  let refused = 0
  let rounds = 0
  while (pending.length > 0) {
    rounds++
    const reads = pending.map((id) => {
      const snapshot = store.read()
      return { id, snapshot, result: policy.attempt(rc.decodeLockoutState(snapshot), now) }
    })
    pending = []
    for (const { id, snapshot, result } of reads) {
      if (!(result instanceof rc.LockoutAdmission)) {
        assert.equal(result.error.code, 'lockout.locked')
        refused++
        continue
      }
      assert.equal(rc.encodeLockoutState(result.previous), snapshot)
      if (store.cas(snapshot, rc.encodeLockoutState(result.state))) {
        admitted++ // now, and only now, check the password: wrong
        result.failure()
      } else {
        pending.push(id) // lost the race: nothing stored, try again
      }
    }
  }
  assert.equal(admitted, 5)
  assert.equal(refused, 15)
  assert.ok(rounds > 5)
  const final = rc.decodeLockoutState(store.read())
  assert.equal(final.failures, 5)
  assert.equal(final.lockedUntil.getTime(), at(11).getTime())
})

test('a correct password settles against the state stored by then', () => {
  const policy = rc.LockoutPolicy.upsSite()
  const store = cell(fresh)
  const now = at(10)
  // Two attempts admitted together; the first has the right password but
  // the second writes its admission before the first settles.
  const first = policy.attempt(rc.decodeLockoutState(store.read()), now)
  assert.ok(store.cas(rc.encodeLockoutState(first.previous), rc.encodeLockoutState(first.state)))
  const second = policy.attempt(rc.decodeLockoutState(store.read()), now)
  assert.ok(store.cas(rc.encodeLockoutState(second.previous), rc.encodeLockoutState(second.state)))
  assert.equal(rc.decodeLockoutState(store.read()).failures, 2)

  const success = first.success()
  for (;;) {
    const current = store.read()
    if (store.cas(current, rc.encodeLockoutState(success.apply(rc.decodeLockoutState(current))))) break
  }
  assert.deepEqual(rc.decodeLockoutState(store.read()), { failures: 0, lockedUntil: null, lastAttempt: now })
  second.failure() // already counted: nothing to write
  assert.equal(rc.decodeLockoutState(store.read()).failures, 0)
})

test('one writer settles an attempt with succeeded() or failure(), once', () => {
  const policy = rc.LockoutPolicy.upsSite()
  const a = policy.attempt(fresh, at(1))
  assert.ok(a instanceof rc.LockoutAdmission && a.allowed)
  const ok = a.succeeded()
  assert.equal(ok.failures, 0)
  assert.ok(a.settled)
  assert.throws(() => a.failure(), (e) => e.code === 'lockout.admission_used')
  assert.deepEqual(ok, policy.recordSuccess(fresh, at(1)))
})
