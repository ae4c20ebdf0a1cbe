'use strict'
// regcore/express: a login guard for Express 5 (and, through `guard.admit`,
// for Fastify or any framework), and password-policy errors in the language
// of Accept-Language. Every rule and message comes from the native module;
// this file only converts. See docs/express.md.
const { LockoutPolicy } = require('..')
const { Admitted } = require('../store')

/** 'ja' or 'en': the first of core's two languages in Accept-Language (by q). */
function language(req) {
  const header = (req && req.headers && req.headers['accept-language']) || ''
  const ranges = String(header)
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';')
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
      return { tag: tag.trim().toLowerCase(), q: q ? Number(q.slice(2)) : 1, i }
    })
    .filter((r) => r.tag && r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i)
  for (const r of ranges) {
    if (r.tag === 'ja' || r.tag.startsWith('ja-')) return 'ja'
    if (r.tag === 'en' || r.tag.startsWith('en-')) return 'en'
  }
  return 'en'
}

function messageOf(diagnostic, lang) {
  return lang === 'ja' ? diagnostic.messageJa : diagnostic.message
}

/** Every violation of `password` under `policy`: `[{ code, message }]` in the request's language. */
function passwordErrors(policy, password, req, context) {
  const lang = language(req)
  return policy.check(password, context).violations.map((v) => ({ code: v.code, message: messageOf(v, lang) }))
}

/** The policy's help text (`describe()`), one line per rule, in the request's language. */
function passwordHelp(policy, req, context) {
  const lang = language(req)
  return policy.describe(context).map((rule) => messageOf(rule, lang))
}

function lockedInfo(decision, req) {
  const lang = language(req)
  return {
    status: 429,
    retryAfterSecs: decision.retryAfterSecs,
    lockedUntil: decision.lockedUntil,
    code: decision.error ? decision.error.code : 'lockout.locked',
    message: decision.error ? messageOf(decision.error, lang) : '',
    lang,
  }
}

function defaultOnLocked(req, res, locked) {
  res.status(429)
  res.set('Retry-After', String(locked.retryAfterSecs))
  res.set('Content-Language', locked.lang)
  if (req.accepts && req.accepts(['text', 'json']) === 'json') {
    res.json({ error: locked.code, message: locked.message, retryAfterSecs: locked.retryAfterSecs })
  } else {
    res.type('text/plain; charset=utf-8').send(locked.message)
  }
}

/**
 * A login guard: before the password is checked, each key of the request is
 * admitted by the store (the attempt stored as a failure first). Locked: the
 * handler never runs and the answer is 429 with Retry-After. Admitted: the
 * handler checks the password and calls `await req.regcore.settle(ok)`.
 *
 *   const guard = loginGuard({ store, key: (req) => req.body.username })
 *   app.post('/login', express.urlencoded(), guard, async (req, res) => { ... })
 */
function loginGuard(options) {
  if (!options || !options.store) throw new TypeError('loginGuard needs { store }')
  const store = options.store
  const policy = options.policy || LockoutPolicy.upsSite()
  const keyOf = options.key || ((req) => req.body && req.body.username)
  const onLocked = options.onLocked || defaultOnLocked

  function keysOf(req) {
    const k = keyOf(req)
    const list = Array.isArray(k) ? k : [k]
    return list.filter((x) => x !== undefined && x !== null && x !== '').map(String)
  }

  /** Framework-neutral: `{ locked }` (refused unchecked) or `{ locked: null, settle }`. */
  async function admit(req) {
    const admitted = []
    for (const key of keysOf(req)) {
      const outcome = await store.lockoutAdmit(key, policy)
      if (!(outcome instanceof Admitted)) return { locked: lockedInfo(outcome, req), keys: keysOf(req) }
      admitted.push(outcome)
    }
    let settled = false
    async function settle(ok) {
      if (settled) throw new Error('regcore: settle() called twice')
      settled = true
      let locked = null
      for (const a of admitted) {
        const state = await store.lockoutSettle(a, Boolean(ok))
        const decision = policy.check(state)
        if (!ok && !decision.allowed && !locked) locked = lockedInfo(decision, req)
      }
      // `locked`: this failure locked the key; answer with it at once if you like.
      return { ok: Boolean(ok), locked }
    }
    return { locked: null, keys: admitted.map((a) => a.key), settle }
  }

  async function middleware(req, res, next) {
    try {
      const result = await admit(req)
      if (result.locked) return onLocked(req, res, result.locked)
      req.regcore = result
      next()
    } catch (e) {
      next(e)
    }
  }
  middleware.admit = admit
  middleware.policy = policy
  middleware.store = store
  return middleware
}

/** Send a lock (from `settle()` or `admit()`) the way the guard does: 429 + Retry-After. */
function sendLocked(req, res, locked) {
  defaultOnLocked(req, res, locked)
}

module.exports = { loginGuard, language, passwordErrors, passwordHelp, sendLocked }
