'use strict'
// What the stores persist, as pure steps: stored text -> { write, expiresMs,
// result, nowMs }. `write` is the new text, DELETE or KEEP (write nothing).
// Every store runs the same steps inside its retry loop, so core's rules are
// called in one place. Mirrors regcore.store._model (Python): the same
// encodings and expiries, so both languages can share one database.
const rc = require('./_native')

const KEEP = Symbol('KEEP')
const DELETE = Symbol('DELETE')
const DAY_MS = 86_400_000

function step(write, expiresMs, result, nowMs = null) {
  return { write, expiresMs, result, nowMs }
}

/** `now` as given (a valid Date; anything else is core's
 * `binding.invalid_date`), or the system clock. */
function resolveNow(now) {
  if (now === undefined || now === null) return new Date()
  return rc.checkedDate(now)
}

const ms = (d) => (d === null || d === undefined ? null : d.getTime())

// --- lockout ---------------------------------------------------------------

/** When a stored lockout state may be dropped (Redis TTL, purgeExpired):
 * core's `retainUntil` (its `forgetAt`, or 90 days after the last attempt
 * where core never forgets), the same rule the Python store applies. */
function lockoutExpiresMs(policy, state, nowMs) {
  return policy.retainUntil(state, new Date(nowMs)).getTime()
}

function decodeLockout(text) {
  return text === null ? { failures: 0, lockedUntil: null, lastAttempt: null } : rc.decodeLockoutState(text)
}

/** An attempt admitted by the store: its failure is already stored. Check
 * the password now, then settle exactly once with the store's
 * `lockoutSettle(admitted, passwordOk)` (or `failure()` here, which writes
 * nothing: the failure was counted when the attempt was admitted). */
class Admitted {
  constructor(key, policy, state, admission) {
    this.key = key
    this.policy = policy
    /** The state stored on admission (this attempt counted as a failure). */
    this.state = state
    Object.defineProperty(this, 'admission', { value: admission, enumerable: false })
  }

  get settled() {
    return this.admission.settled
  }

  /** The password was wrong: nothing more to write; the stored state. */
  failure() {
    return this.admission.failure()
  }
}

function lockoutAdmitStep(key, policy, now) {
  const nowMs = now.getTime()
  return (old) => {
    const outcome = policy.admit(decodeLockout(old), now)
    if (!(outcome instanceof rc.LockoutAdmission)) {
      const fresh = outcome.newState
      if (!fresh) return step(KEEP, null, outcome)
      const text = rc.encodeLockoutState(fresh)
      if (text === old) return step(KEEP, null, outcome)
      return step(text, lockoutExpiresMs(policy, fresh, nowMs), outcome, nowMs)
    }
    const stored = outcome.state
    return step(
      rc.encodeLockoutState(stored),
      lockoutExpiresMs(policy, stored, nowMs),
      new Admitted(key, policy, stored, outcome),
      nowMs,
    )
  }
}

function lockoutSuccessStep(admitted, now) {
  const nowMs = now.getTime()
  const success = admitted.admission.success() // throws lockout.admission_used on a second settle
  return (old) => {
    const settled = success.apply(decodeLockout(old))
    const text = rc.encodeLockoutState(settled)
    if (text === old) return step(KEEP, null, settled)
    return step(text, lockoutExpiresMs(admitted.policy, settled, nowMs), settled, nowMs)
  }
}

// --- one-time codes ----------------------------------------------------------

/** A day after the code expires: until then a late try is told "expired". */
const codeExpiresMs = (policy, state) => policy.retainUntil(state).getTime()

function codeIssueStep(policy, secret, subject, now) {
  return (old) => {
    const previous = old === null ? null : rc.decodeCodeState(old)
    const issued = policy.issue(secret, subject, previous, now)
    return step(rc.encodeCodeState(issued.state), codeExpiresMs(policy, issued.state), issued, now.getTime())
  }
}

function codeVerifyStep(policy, secret, subject, typed, now) {
  return (old) => {
    if (old === null) return step(KEEP, null, null)
    const verification = policy.verify(secret, subject, typed, rc.decodeCodeState(old), now)
    const text = rc.encodeCodeState(verification.state)
    if (text === old) return step(KEEP, null, verification)
    return step(text, codeExpiresMs(policy, verification.state), verification, now.getTime())
  }
}

// --- sessions ------------------------------------------------------------------

// Core's encoding (`s1.<startedMs>.<lastSeenMs>`, the Python store's too);
// a malformed row is core's `session.malformed_state`.
const encodeSession = (s) => rc.encodeSessionState(s)
const decodeSession = (text) => rc.decodeSessionState(text)
const sessionExpiresMs = (policy, state) => policy.expiresAt(state).getTime()

function sessionStartStep(policy, now) {
  return () => {
    const state = policy.start(now)
    return step(encodeSession(state), sessionExpiresMs(policy, state), state, now.getTime())
  }
}

function sessionTouchStep(policy, now) {
  return (old) => {
    if (old === null) return step(KEEP, null, null)
    const touch = policy.touch(decodeSession(old), now)
    if (!touch.state) return step(DELETE, null, touch)
    const text = encodeSession(touch.state)
    if (text === old) return step(KEEP, null, touch)
    return step(text, sessionExpiresMs(policy, touch.state), touch, now.getTime())
  }
}

function sessionRevokeStep() {
  return (old) => step(old !== null ? DELETE : KEEP, null, old !== null)
}

module.exports = {
  KEEP,
  DELETE,
  DAY_MS,
  Admitted,
  resolveNow,
  ms,
  decodeLockout,
  lockoutExpiresMs,
  lockoutAdmitStep,
  lockoutSuccessStep,
  codeIssueStep,
  codeVerifyStep,
  encodeSession,
  decodeSession,
  sessionStartStep,
  sessionTouchStep,
  sessionRevokeStep,
}
