'use strict'
// A child process of the store suite: opens its own store (its own
// connection), waits at the parent's barrier so the attempts overlap, runs
// one task and reports. No database is mocked.
const rc = require('../index.js')
const { Admitted } = require('../store')
const h = require('./store-helpers')

let release = null
process.on('message', (msg) => {
  if (msg.type === 'go' && release) {
    const r = release
    release = null
    r()
  } else if (msg.type === 'start') {
    main(msg).then(
      (result) => process.send({ type: 'result', result }, () => process.exit(0)),
      (e) => process.send({ type: 'error', error: `${e && e.code ? e.code + ' ' : ''}${e && e.stack}` }, () => process.exit(1)),
    )
  }
})

function barrier() {
  return new Promise((resolve) => {
    release = resolve
    process.send({ type: 'barrier' })
  })
}

const tasks = {
  async recordFailures(store, { key, policy, n }) {
    const p = h.policyOf(policy)
    let done = 0
    for (let i = 0; i < n; i++) {
      const admitted = await store.lockoutAdmit(key, p)
      if (!(admitted instanceof Admitted)) throw new Error('refused: ' + JSON.stringify(admitted))
      await store.lockoutSettle(admitted, false)
      done += 1
    }
    return { done, conflicts: store.stats.conflicts, mostTries: store.stats.mostTries }
  },

  async wrongGuesses(store, { key, policy, concurrent }) {
    const p = h.policyOf(policy)
    return Promise.all(
      Array.from({ length: concurrent }, async () => {
        let checks = 0
        const result = await store.login(key, p, async () => {
          checks += 1
          return false
        }, h.T0)
        if (result.ok) throw new Error('a wrong password logged in')
        if ((result.locked === null) !== (checks === 1)) throw new Error('checked while locked')
        return checks
      }),
    )
  },

  async verifyCode(store, { subject, typed, policy, concurrent }) {
    return Promise.all(
      Array.from({ length: concurrent }, async () => {
        const v = await store.codeVerify(h.codePolicyOf(policy), h.secret(), subject, typed, h.T0)
        if (v === null) throw new Error('no code stored')
        return v.ok ? 'ok' : v.rejection.code
      }),
    )
  },

  async issueCode(store, { subject, policy, concurrent }) {
    return Promise.all(
      Array.from({ length: concurrent }, async () => (await store.codeIssue(h.codePolicyOf(policy), h.secret(), subject, h.T0)).code),
    )
  },

  async touchSession(store, { sid, policy, rounds }) {
    const p = h.sessionPolicyOf(policy)
    let active = 0
    for (let r = 0; r < rounds; r++) {
      const touched = await store.sessionTouch(sid, p, new Date(h.T0.getTime() + r * 1000))
      if (touched && touched.status === 'active') active += 1
    }
    return active
  },

  async issueRounds(store, { rounds, terminalNo, product, firstSerial }) {
    const authority = h.master().activationAuthority()
    const seen = []
    for (let r = 0; r < rounds; r++) {
      const key = authority.mint(product, firstSerial + r)
      const request = new rc.IssuanceRequest(h.terminal(terminalNo), [key])
      if (r) await barrier()
      const plan = await store.ledgerIssue(h.master(), request, h.T0)
      await barrier()
      const bound = await store.ledgerByActivationNumber(key.number)
      seen.push([plan.outcomes[0].outcome, bound ? bound.mprId : 'none'])
    }
    return seen
  },

  // Issue new keys (three per request, on seven terminals) until SIGKILLed,
  // reporting each committed request so the parent kills mid-loop.
  async issueForever(store, { start, product }) {
    const authority = h.master().activationAuthority()
    for (let i = start; ; i += 3) {
      const keys = [0, 1, 2].map((j) => authority.mint(product, 50_000 + i + j))
      await store.ledgerIssue(h.master(), new rc.IssuanceRequest(h.terminal(i % 7), keys), h.T0)
      process.send({ type: 'progress', issued: i - start + 3 })
    }
  },
}

async function main({ task, args }) {
  const { store, close } = await h.openStore(args.spec, { poolSize: args.poolSize || 2 })
  try {
    await barrier()
    return await tasks[task](store, args)
  } finally {
    await close()
  }
}
