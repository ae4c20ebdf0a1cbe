'use strict'
// The pairing ledger on SQLite and PostgreSQL: first writer wins under
// concurrency, no half-binding after SIGKILL mid-transaction, and the same
// answers as core's in-memory Ledger on random operation sequences (a
// differential test).
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { fork } = require('node:child_process')
const rc = require('../index.js')
const h = require('./store-helpers')

const S = h.SCENARIOS
const fx = new h.Fixtures('ledger')
test.after(() => fx.cleanup())

for (const kind of S.ledger_first_writer_wins.stores) {
  test(`${kind}: one activation key issued to ${S.ledger_first_writer_wins.processes} terminals at once, ${S.ledger_first_writer_wins.rounds} rounds: one binding each`, { skip: h.skip }, async () => {
    const sc = S.ledger_first_writer_wins
    const spec = await fx.spec(kind)
    const per = await h.runWorkers(sc.processes, 'issueRounds', (i) => ({ spec, rounds: sc.rounds, terminalNo: i, product: sc.product, firstSerial: sc.first_serial }))
    const { store, close } = await h.openStore(spec)
    try {
      const bindings = new Map((await store.ledgerBindings()).map((b) => [b.activationNumber, b]))
      assert.equal(bindings.size, sc.rounds)
      const authority = h.master().activationAuthority()
      for (let r = 0; r < sc.rounds; r++) {
        const outcomes = per.map((seen) => seen[r][0])
        assert.deepEqual(h.tally(outcomes), sc.expect_per_round, `round ${r}`)
        const winner = per[outcomes.indexOf('issued')][r][1]
        assert.deepEqual(new Set(per.map((seen) => seen[r][1])), new Set([winner])) // every reader agrees
        const key = authority.mint(sc.product, sc.first_serial + r)
        assert.equal(bindings.get(key.number).mprId, winner)
      }
      const history = await store.ledgerHistory()
      assert.equal(history.length, sc.rounds)
      assert.deepEqual(new Set(history.map((row) => row.event)), new Set(['issued']))
    } finally {
      await close()
    }
  })
}

/** Every binding has exactly its one 'issued' history row, and vice versa. */
async function assertConsistent(store, where) {
  const bindings = new Map((await store.ledgerBindings()).map((b) => [b.activationNumber, b]))
  const issued = (await store.ledgerHistory()).filter((row) => row.event === 'issued')
  assert.equal(issued.length, bindings.size, `${where}: ${issued.length} 'issued' rows for ${bindings.size} bindings`)
  assert.equal(new Set(issued.map((row) => row.activationNumber)).size, issued.length, `${where}: one row per key`)
  for (const row of issued) {
    const b = bindings.get(row.activationNumber)
    assert.ok(b, `${where}: history row without its binding (${row.activationNumber})`)
    assert.deepEqual([row.mprId, row.registrationKey], [b.mprId, b.registrationKey], where)
  }
  return bindings.size
}

/**
 * Fork a worker issuing keys in a loop and SIGKILL it `delayMs` after its
 * first committed request: no cleanup, the transaction is cut wherever it
 * is. Resolves with the number of keys it reported committed.
 */
function issueUntilKilled(spec, start, product, delayMs) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'store-worker.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    let issued = 0
    let armed = false
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error('the worker committed nothing in 60 s'))
    }, 60_000)
    child.on('message', (msg) => {
      if (msg.type === 'barrier') child.send({ type: 'go' })
      else if (msg.type === 'error') reject(new Error(`worker: ${msg.error}`))
      else if (msg.type === 'progress') {
        issued = msg.issued
        if (!armed) {
          armed = true
          setTimeout(() => child.kill('SIGKILL'), delayMs)
        }
      }
    })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (signal === 'SIGKILL') resolve(issued)
      else reject(new Error(`worker exited with ${code} before it was killed`))
    })
    child.send({ type: 'start', task: 'issueForever', args: { spec, start, product }, index: 0 })
  })
}

for (const kind of S.ledger_first_writer_wins.stores) {
  test(`${kind}: SIGKILL mid-transaction, four times, leaves no half-binding and the ledger still answers`, { skip: h.skip }, async () => {
    const spec = await fx.spec(kind)
    const product = 0x0101
    const rnd = mulberry32(15)
    let committed = 0
    for (let round = 0; round < 4; round++) {
      // A random moment 20–420 ms into the loop: inside a transaction most
      // of the time (each request is one), wherever it happens to be.
      committed += await issueUntilKilled(spec, round * 100_000, product, 20 + Math.floor(rnd() * 400))
      const { store, close } = await h.openStore(spec)
      try {
        const bound = await assertConsistent(store, `${kind} after kill ${round + 1}`)
        // Everything the worker reported committed is there (at most the
        // request cut by the kill is missing, whole).
        assert.ok(bound >= committed, `${bound} bindings, ${committed} reported committed`)
      } finally {
        await close()
      }
    }
    const { store, close } = await h.openStore(spec)
    try {
      assert.ok((await store.ledgerBindings()).length > 0)
      // The ledger still works after the crashes: a new key is issued, a
      // key issued before the crashes is re-issued to its terminal.
      const authority = h.master().activationAuthority()
      const key = authority.mint(product, 999_999)
      const plan = await store.ledgerIssue(h.master(), new rc.IssuanceRequest(h.terminal(1), [key]), h.T0)
      assert.equal(plan.outcomes[0].outcome, 'issued')
      const old = authority.mint(product, 50_000)
      const again = await store.ledgerIssue(h.master(), new rc.IssuanceRequest(h.terminal(0), [old]), h.T0)
      assert.equal(again.outcomes[0].outcome, 'reissued')
      await assertConsistent(store, `${kind} after the crashes`)
    } finally {
      await close()
    }
  })
}

function mulberry32(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const outcomeView = (plan) =>
  plan.outcomes.map((o) => [o.activationNumber, o.outcome, o.registrationKey ?? null, o.product ?? null, o.firstIssuedAt ? o.firstIssuedAt.getTime() : null, o.refusal ? o.refusal.code : null])

async function outcome(fn) {
  try {
    return await fn()
  } catch (e) {
    if (e.name !== 'RegcoreError') throw e
    return e.code
  }
}

const DAY = 86_400_000
const dayString = (ms) => new Date(ms).toISOString().slice(0, 10)

for (const kind of S.ledger_differential.stores) {
  for (const seed of S.ledger_differential.seeds) {
    test(`${kind}: store answers equal core's Ledger (seed ${seed})`, { skip: h.skip }, async () => {
      const sc = S.ledger_differential
      const spec = await fx.spec(kind)
      const { store, close } = await h.openStore(spec)
      try {
        const ledger = new rc.Ledger()
        const rnd = mulberry32(seed)
        const randint = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1))
        const choice = (xs) => xs[Math.floor(rnd() * xs.length)]
        const master = h.master()
        const authority = master.activationAuthority()
        const keys = Array.from({ length: sc.keys }, (_, i) => authority.mint(choice(sc.products), 7000 + i))
        const terminals = Array.from({ length: sc.terminals }, (_, i) => h.terminal(i))
        const w = sc.weights
        let now = h.T0.getTime()
        for (let stepNo = 0; stepNo < sc.steps; stepNo++) {
          now += choice(sc.minute_steps) * 60_000
          const at = new Date(now)
          const op = rnd()
          if (op < w.issue) {
            const chosen = [...keys].sort(() => rnd() - 0.5).slice(0, randint(1, 3))
            if (rnd() < 0.1) {
              const k = chosen[0] // a wrong registration ID
              const wrongId = ((parseInt(k.registrationId, 16) ^ 1) >>> 0).toString(16).toUpperCase().padStart(8, '0')
              chosen[0] = new rc.ActivationKey(k.number, wrongId)
            }
            const request = new rc.IssuanceRequest(choice(terminals), chosen, 'real', choice(['customer', 'admin']))
            const got = outcomeView(await store.ledgerIssue(master, request, at))
            assert.deepEqual(got, outcomeView(ledger.issue(master, request, at)), `step ${stepNo}`)
          } else if (op < w.issue + w.rebind) {
            const number = choice(keys).number
            const to = choice(terminals)
            const actor = choice(['admin', '  ', 'ops'])
            const expected = await outcome(async () => ledger.rebind(master, number, to, actor, 'customer moved', at))
            const got = await outcome(() => store.ledgerRebind(master, number, to, actor, 'customer moved', at))
            assert.deepEqual(got, expected, `step ${stepNo}`)
          } else if (op < w.issue + w.rebind + w.by_mpr_id) {
            const t = choice(terminals)
            assert.deepEqual(await store.ledgerByMprId(t), ledger.byMprId(t))
          } else if (op < w.issue + w.rebind + w.by_mpr_id + w.by_activation_number) {
            const n = choice(keys).number
            assert.deepEqual(await store.ledgerByActivationNumber(n), ledger.byActivationNumber(n))
          } else {
            const options = { utcOffsetMinutes: choice(sc.utc_offsets_minutes) }
            if (rnd() < 0.7) {
              const first = h.T0.getTime() + randint(-1, 4) * DAY
              options.days = { from: dayString(first), to: dayString(first + randint(0, 3) * DAY) }
            }
            assert.equal(await store.ledgerHistoryCsv(options), ledger.historyCsv(options), JSON.stringify(options))
            assert.deepEqual(await store.ledgerHistory(options), ledger.history(options))
            assert.deepEqual(await store.ledgerDailyCounts(options), ledger.dailyCounts(options), JSON.stringify(options))
          }
        }
        assert.ok(ledger.bindings().length > 0 && ledger.rebinds().length > 0, 'the sequence bound and rebound something')
        assert.deepEqual(await store.ledgerBindings(), ledger.bindings())
        assert.deepEqual(await store.ledgerRebinds(), ledger.rebinds())
        assert.equal(await store.ledgerHistoryCsv(), ledger.historyCsv())
      } finally {
        await close()
      }
    })
  }
}
