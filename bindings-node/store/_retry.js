'use strict'
// The one retry loop every store uses. An attempt reads the stored value,
// asks core for the next one and writes it only if the store still holds
// what was read; a lost race throws `Conflict` and the loop runs the
// attempt again (at once on the winning value when the compare-and-set
// reported it, else after a full-jitter sleep and a fresh read), at most
// `attempts` times within `deadlineMs`; then `store.contended`. Nothing is
// returned (no attempt admitted) unless its write was stored.
const errors = require('./_errors')

class Conflict extends Error {
  /** `current`: the value the store holds now, when the CAS reported it. */
  constructor(current = null, known = false) {
    super('conflict')
    this.name = 'Conflict'
    this.current = current
    this.known = known
  }
}

class RetryPolicy {
  constructor({ attempts = 200, deadlineMs = 5000, baseDelayMs = 0.5, maxDelayMs = 20 } = {}) {
    this.attempts = attempts
    this.deadlineMs = deadlineMs
    this.baseDelayMs = baseDelayMs
    this.maxDelayMs = maxDelayMs
    Object.freeze(this)
  }

  delayMs(tried) {
    return Math.random() * Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** tried)
  }
}

class StoreStats {
  constructor() {
    this.operations = 0
    this.conflicts = 0
    this.contended = 0
    this.mostTries = 0
  }

  count(conflicts, contended) {
    this.operations += 1
    this.conflicts += conflicts
    this.contended += contended ? 1 : 0
    this.mostTries = Math.max(this.mostTries, conflicts + 1)
  }

  /** Lost races per operation. */
  get retryRate() {
    return this.operations ? this.conflicts / this.operations : 0
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Run `attempt(current, known)` until it does not conflict. */
async function run(operation, attempt, policy, stats) {
  let current = null
  let known = false
  const giveUp = performance.now() + policy.deadlineMs
  const tries = Math.max(1, policy.attempts)
  let made = 0
  for (let tried = 0; tried < tries; tried++) {
    if (tried && performance.now() > giveUp) break
    made += 1
    try {
      const result = await attempt(current, known)
      stats.count(tried, false)
      return result
    } catch (e) {
      if (!(e instanceof Conflict)) throw e
      // A compare-and-set that lost returns the value that won: retry on it
      // at once (one round trip old). After a sleep it would be stale, so
      // the backoff tries read afresh.
      current = e.current
      known = e.known && tried % 2 === 0
      if (!known && tried + 1 < tries) await sleep(policy.delayMs(Math.floor(tried / 2)))
    }
  }
  stats.count(made, true)
  throw errors.contended(operation, made)
}

module.exports = { Conflict, RetryPolicy, StoreStats, run }
