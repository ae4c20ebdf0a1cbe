'use strict'
// The store guarantees (docs/storage.md) under real concurrency: several OS processes, each with
// its own connection, meeting at a barrier, against every store. Parameters
// and expectations come from tests/store-scenarios.json.
const test = require('node:test')
const assert = require('node:assert/strict')
const rc = require('../index.js')
const { Admitted } = require('../store')
const h = require('./store-helpers')

const S = h.SCENARIOS
const fx = new h.Fixtures('concurrency')
test.after(() => fx.cleanup())

async function withStore(spec, body) {
  const { store, close } = await h.openStore(spec)
  try {
    return await body(store)
  } finally {
    await close()
  }
}

for (const kind of S.lockout_no_lost_update.stores) {
  test(`${kind}: ${S.lockout_no_lost_update.processes} processes x ${S.lockout_no_lost_update.failures_per_process} failures on one key lose none`, { skip: h.skip }, async (t) => {
    const sc = S.lockout_no_lost_update
    const spec = await fx.spec(kind)
    const done = await h.runWorkers(sc.processes, 'recordFailures', () => ({ spec, key: sc.key, policy: sc.policy, n: sc.failures_per_process }))
    assert.equal(done.reduce((a, d) => a + d.done, 0), sc.expect_failures)
    const state = await withStore(spec, (s) => s.lockoutState(sc.key))
    assert.equal(state.failures, sc.expect_failures)
    const lost = done.reduce((a, d) => a + d.conflicts, 0)
    t.diagnostic(`${kind}: lost races ${lost}, most tries ${Math.max(...done.map((d) => d.mostTries))}`)
  })
}

for (const kind of S.lockout_burst.stores) {
  test(`${kind}: ${S.lockout_burst.processes * S.lockout_burst.concurrent_per_process} simultaneous wrong attempts on a fresh account reach the password check ${S.lockout_burst.expect_password_checks} times`, { skip: h.skip }, async () => {
    const sc = S.lockout_burst
    const spec = await fx.spec(kind)
    const per = await h.runWorkers(sc.processes, 'wrongGuesses', () => ({ spec, key: sc.key, policy: sc.policy, concurrent: sc.concurrent_per_process, poolSize: 4 }))
    const checks = per.flat()
    assert.equal(checks.length, sc.processes * sc.concurrent_per_process)
    assert.ok(checks.reduce((a, b) => a + b, 0) <= sc.expect_password_checks)
    assert.equal(checks.reduce((a, b) => a + b, 0), sc.expect_password_checks) // all at one instant: 4 free, the 5th locks
    const state = await withStore(spec, (s) => s.lockoutState(sc.key))
    assert.equal(state.failures, sc.expect_failures)
    assert.equal(h.policyOf(sc.policy).check(state, h.T0).allowed, !sc.expect_locked_after)
  })
}

for (const kind of S.lockout_success_during_burst.stores) {
  test(`${kind}: a correct password admitted during a burst settles as a success`, { skip: h.skip }, async () => {
    const sc = S.lockout_success_during_burst
    const spec = await fx.spec(kind)
    await withStore(spec, async (store) => {
      const policy = h.policyOf(sc.policy)
      const admitted = await store.lockoutAdmit(sc.key, policy, h.T0) // the right password, being checked
      assert.ok(admitted instanceof Admitted)
      const per = await h.runWorkers(sc.processes, 'wrongGuesses', () => ({ spec, key: sc.key, policy: sc.policy, concurrent: sc.concurrent_per_process }))
      assert.equal(per.flat().reduce((a, b) => a + b, 0), sc.expect_wrong_checks)
      assert.equal(policy.check(await store.lockoutState(sc.key), h.T0).allowed, false) // locked now
      const settled = await store.lockoutSettle(admitted, true, h.T0)
      assert.equal(settled.failures, sc.expect_failures_after_settle)
      assert.equal(settled.lockedUntil, null)
      assert.deepEqual(await store.lockoutState(sc.key), settled)
      await assert.rejects(store.lockoutSettle(admitted, true, h.T0), { code: 'lockout.admission_used' })
      assert.ok((await store.lockoutAdmit(sc.key, policy, h.T0)) instanceof Admitted)
    })
  })
}

for (const kind of S.code_one_success.stores) {
  test(`${kind}: one correct code verified by 20 processes at once succeeds exactly once`, { skip: h.skip }, async () => {
    const sc = S.code_one_success
    const spec = await fx.spec(kind)
    const code = await withStore(spec, (s) => s.codeIssue(h.codePolicyOf(sc.policy), h.secret(), sc.subject, h.T0))
    const per = await h.runWorkers(sc.processes, 'verifyCode', () => ({ spec, subject: sc.subject, typed: code.code, policy: sc.policy, concurrent: sc.concurrent_per_process }))
    assert.deepEqual(h.tally(per.flat()), sc.expect)
  })
}

for (const kind of S.code_wrong_burns_after_max.stores) {
  test(`${kind}: 20 wrong codes at once burn the code after exactly 5 counted`, { skip: h.skip }, async () => {
    const sc = S.code_wrong_burns_after_max
    const spec = await fx.spec(kind)
    const policy = h.codePolicyOf(sc.policy)
    const code = await withStore(spec, (s) => s.codeIssue(policy, h.secret(), sc.subject, h.T0))
    const wrong = code.code !== '000000' ? '000000' : '111111'
    const per = await h.runWorkers(sc.processes, 'verifyCode', () => ({ spec, subject: sc.subject, typed: wrong, policy: sc.policy, concurrent: sc.concurrent_per_process }))
    assert.deepEqual(h.tally(per.flat()), sc.expect)
    await withStore(spec, async (store) => {
      assert.equal((await store.codeState(policy.purpose, sc.subject)).attempts, sc.expect_attempts)
      const late = await store.codeVerify(policy, h.secret(), sc.subject, code.code, h.T0)
      assert.equal(late.ok, false)
      assert.equal(late.rejection.code, 'code.too_many_attempts')
    })
  })
}

for (const kind of S.code_first_insert_race.stores) {
  test(`${kind}: simultaneous first issues are each counted and only the stored code works`, { skip: h.skip }, async () => {
    const sc = S.code_first_insert_race
    const spec = await fx.spec(kind)
    const policy = h.codePolicyOf(sc.policy)
    const per = await h.runWorkers(sc.processes, 'issueCode', () => ({ spec, subject: sc.subject, policy: sc.policy, concurrent: sc.concurrent_per_process }))
    const state = await withStore(spec, (s) => s.codeState(policy.purpose, sc.subject))
    assert.equal(state.generation, sc.expect_generation)
    const oks = [...new Set(per.flat())].filter((c) => policy.verify(h.secret(), sc.subject, c, state, h.T0).ok)
    assert.equal(oks.length, sc.expect_codes_that_verify)
  })
}

for (const kind of S.session_revoke_wins.stores) {
  test(`${kind}: a revoke wins over touches in flight`, { skip: h.skip }, async () => {
    const sc = S.session_revoke_wins
    const spec = await fx.spec(kind)
    const policy = h.sessionPolicyOf(sc.policy)
    await withStore(spec, async (store) => {
      await store.sessionStart(sc.session, policy, h.T0)
      let revoked
      const touched = h.runWorkers(sc.processes, 'touchSession', () => ({ spec, sid: sc.session, policy: sc.policy, rounds: sc.touches_per_process }), {
        onStart: () => {
          revoked = new Promise((r) => setTimeout(r, 20)).then(() => store.sessionRevoke(sc.session))
        },
      })
      await touched
      assert.equal(await revoked, true)
      // Whatever the interleaving, no touch brought the session back.
      assert.equal(await store.sessionTouch(sc.session, policy, new Date(h.T0.getTime() + 60_000)), null)
      assert.equal(await store.sessionRevoke(sc.session), false)
    })
  })
}

for (const kind of S.redis_script_flush.stores) {
  test(`${kind}: SCRIPT FLUSH in the middle of a run fails no request`, { skip: h.skip }, async () => {
    const sc = S.redis_script_flush
    const spec = await fx.spec(kind)
    const client = await h.redisClient(kind)
    const nodes = await h.redisNodes(client, kind)
    let flushes = 0
    let stop = false
    const flusher = (async () => {
      while (!stop) {
        for (const node of nodes) await node.scriptFlush()
        flushes += 1
        await new Promise((r) => setTimeout(r, sc.flush_every_ms))
      }
    })()
    try {
      const done = await h.runWorkers(sc.processes, 'recordFailures', () => ({ spec, key: sc.key, policy: sc.policy, n: sc.failures_per_process }))
      assert.equal(done.reduce((a, d) => a + d.done, 0), sc.expect_failures)
    } finally {
      stop = true
      await flusher
    }
    assert.ok(flushes > 5, `only ${flushes} flushes`)
    const state = await withStore(spec, (s) => s.lockoutState(sc.key))
    assert.equal(state.failures, sc.expect_failures)
    await client.close()
  })
}
