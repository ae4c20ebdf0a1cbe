'use strict'
// The store API, written once over two primitives per store:
// `_cell(table, address, decide, operation)` (read one state cell, run the
// pure step, compare-and-set, inside the retry loop) and
// `_read(table, address, operation)`. Operation names are the Python store
// layer's, in camelCase.
const rc = require('./_native')
const m = require('./_model')
const { RetryPolicy, StoreStats } = require('./_retry')

class Store {
  constructor(retry) {
    this.retry = retry instanceof RetryPolicy ? retry : new RetryPolicy(retry || {})
    this.stats = new StoreStats()
  }

  // --- lockout -------------------------------------------------------------

  /** Admit an attempt (its failure stored in advance): an `Admitted`, or
   * core's refusal (`LockoutDecision` with `allowed: false`): refuse
   * without checking the password. */
  async lockoutAdmit(key, policy, now) {
    const at = m.resolveNow(now)
    return this._cell('lockout', [key], m.lockoutAdmitStep(key, policy, at), 'lockout.admit')
  }

  /** Settle an admitted attempt once: a wrong password writes nothing
   * more; a right one resets the stored state (compare-and-set, retried). */
  async lockoutSettle(admitted, passwordOk, now) {
    if (!(admitted instanceof m.Admitted)) throw new TypeError('lockoutSettle needs the Admitted from lockoutAdmit')
    if (!passwordOk) return admitted.failure()
    const decide = m.lockoutSuccessStep(admitted, m.resolveNow(now))
    return this._cell('lockout', [admitted.key], decide, 'lockout.settle')
  }

  /** Admit, check the password only if admitted, settle. `checkPassword`
   * (sync or async) runs at most once and never while the key is locked. */
  async login(key, policy, checkPassword, now) {
    const admitted = await this.lockoutAdmit(key, policy, now)
    if (!(admitted instanceof m.Admitted)) return { ok: false, locked: admitted, state: null }
    let ok
    try {
      ok = Boolean(await checkPassword())
    } catch (e) {
      admitted.failure() // counted on admission; the check's error goes to the caller
      throw e
    }
    return { ok, locked: null, state: await this.lockoutSettle(admitted, ok, now) }
  }

  /** The stored state (the default state when nothing is stored). */
  async lockoutState(key) {
    return m.decodeLockout(await this._read('lockout', [key], 'lockout.read'))
  }

  // --- one-time codes --------------------------------------------------------

  /** Issue the next code for (policy.purpose, subject); earlier ones die. */
  async codeIssue(policy, secret, subject, now) {
    const decide = m.codeIssueStep(policy, secret, subject, m.resolveNow(now))
    return this._cell('code', [policy.purpose, subject], decide, 'code.issue')
  }

  /** Verify and store the outcome atomically; `null` when no code is stored. */
  async codeVerify(policy, secret, subject, typed, now) {
    const decide = m.codeVerifyStep(policy, secret, subject, typed, m.resolveNow(now))
    return this._cell('code', [policy.purpose, subject], decide, 'code.verify')
  }

  async codeState(purpose, subject) {
    const text = await this._read('code', [purpose, subject], 'code.read')
    return text === null ? null : rc.decodeCodeState(text)
  }

  // --- sessions ----------------------------------------------------------------

  async sessionStart(sessionId, policy, now) {
    return this._cell('session', [sessionId], m.sessionStartStep(policy, m.resolveNow(now)), 'session.start')
  }

  /** Renew on activity; `null` for an unknown or revoked session. An expired
   * session is deleted and its status says why. */
  async sessionTouch(sessionId, policy, now) {
    return this._cell('session', [sessionId], m.sessionTouchStep(policy, m.resolveNow(now)), 'session.touch')
  }

  /** End a session; wins over any touch in flight. True if it existed. */
  async sessionRevoke(sessionId) {
    return this._cell('session', [sessionId], m.sessionRevokeStep(), 'session.revoke')
  }
}

module.exports = { Store }
