'use strict'
// regcore/express: the burst through HTTP against node:cluster workers, the
// default 429 answer, Accept-Language, and Fastify through guard.admit().
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const http = require('node:http')
const { spawn } = require('node:child_process')
const express = require('express')
const { LockoutPolicy, PasswordPolicy } = require('regcore')
const { SQLiteStore } = require('regcore/store')
const { loginGuard, language, passwordErrors } = require('regcore/express')

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'regcore-express-'))

function post(port, pathname, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = new URLSearchParams(body).toString()
    const req = http.request(
      { host: '127.0.0.1', port, path: pathname, method: 'POST', agent: false,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(data), ...headers } },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c) => (text += c))
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }))
      },
    )
    req.on('error', reject)
    req.end(data)
  })
}

async function waitUp(port) {
  for (let i = 0; i < 120; i++) {
    const ok = await new Promise((r) => http.get({ host: '127.0.0.1', port, path: '/login', agent: false }, (res) => { res.resume(); r(res.statusCode === 200) }).on('error', () => r(false)))
    if (ok) return
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error('server did not start')
}

async function burst(label, storeEnv, port) {
  const counter = path.join(tmp, `checks-${port}`)
  fs.writeFileSync(counter, '')
  const server = spawn(process.execPath, [path.join(__dirname, '..', 'server.js')], {
    env: { ...process.env, PORT: String(port), WORKERS: '4', CHECK_COUNTER: counter, ...storeEnv },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  try {
    await waitUp(port)
    // Every worker up (each listens on the shared port once ready).
    await new Promise((r) => setTimeout(r, 1500))
    const started = Date.now()
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => post(port, '/login', { username: 'burst-user', password: `wrong-${i}` })))
    const checks = fs.readFileSync(counter).length
    const refused = answers.filter((a) => a.status === 429)
    console.log(`express burst (${label}): 100 requests, 4 workers: ${checks} password checks, ${refused.length} answered 429, ${Date.now() - started} ms`)
    const results = process.env.REGCORE_BURST_RESULTS
    if (results) fs.appendFileSync(results, JSON.stringify({ contender: `regcore/express loginGuard (node:cluster, 4 workers, ${label})`, requests: 100, password_checks: checks, answered_429: refused.length }) + '\n')
    assert.ok(checks >= 1 && checks <= 5, `password checks: ${checks}`)
    assert.equal(answers.filter((a) => a.status === 200).length, 0)
    for (const a of refused) assert.ok(Number(a.headers['retry-after']) >= 1)
    assert.equal(refused.length + answers.filter((a) => a.status === 401).length, 100)
  } finally {
    server.kill()
  }
}

test('100 simultaneous wrong logins through HTTP, 4 cluster workers, SQLite: at most 5 password checks', () =>
  burst('SQLite', { REGCORE_DEMO_DB: path.join(tmp, 'burst.sqlite3') }, 20000 + (process.pid % 20000)))

test('the same burst on Redis: at most 5 password checks', { skip: !process.env.REGCORE_TEST_REDIS && 'REGCORE_TEST_REDIS not set' }, () =>
  burst('Redis', { REDIS_URL: process.env.REGCORE_TEST_REDIS, REGCORE_PREFIX: `exp${process.pid}` }, 20001 + (process.pid % 20000)))

test('default answer: 429, Retry-After, message in the language of Accept-Language', async () => {
  const store = new SQLiteStore(path.join(tmp, 'default.sqlite3'))
  await store.migrate()
  const guard = loginGuard({ store, policy: LockoutPolicy.upsSite() })
  const app = express()
  app.use(express.urlencoded({ extended: false }))
  app.post('/login', guard, async (req, res) => {
    await req.regcore.settle(req.body.password === 'right')
    res.status(401).send('wrong')
  })
  const server = app.listen(0, '127.0.0.1')
  await new Promise((r) => server.once('listening', r))
  const { port } = server.address()
  try {
    for (let i = 0; i < 5; i++) assert.equal((await post(port, '/login', { username: 'u1', password: 'x' })).status, 401)
    const ja = await post(port, '/login', { username: 'u1', password: 'right' }, { 'accept-language': 'ja,en;q=0.5' })
    assert.equal(ja.status, 429)
    assert.ok(Number(ja.headers['retry-after']) >= 1)
    assert.equal(ja.headers['content-language'], 'ja')
    const decision = LockoutPolicy.upsSite().check(await store.lockoutState('u1'))
    assert.equal(ja.text, decision.error.messageJa)
    const en = await post(port, '/login', { username: 'u1', password: 'right' }, { accept: 'application/json' })
    assert.equal(en.status, 429)
    const body = JSON.parse(en.text)
    assert.equal(body.error, 'lockout.locked')
    assert.equal(body.message, decision.error.message)
  } finally {
    server.close()
    store.close()
  }
})

test('password errors: every violation, code from core, language by Accept-Language', () => {
  const policy = PasswordPolicy.upsSite()
  const report = policy.check('ｐａｓｓ')
  const ja = passwordErrors(policy, 'ｐａｓｓ', { headers: { 'accept-language': 'ja-JP,ja;q=0.9,en;q=0.8' } })
  assert.deepEqual(ja.map((e) => e.code), report.violations.map((v) => v.code))
  assert.deepEqual(ja.map((e) => e.message), report.violations.map((v) => v.messageJa))
  const en = passwordErrors(policy, 'ｐａｓｓ', { headers: { 'accept-language': 'fr, en;q=0.8, ja;q=0.1' } })
  assert.deepEqual(en.map((e) => e.message), report.violations.map((v) => v.message))
  assert.equal(language({ headers: {} }), 'en')
})

test('Fastify: guard.admit() in a route, 429 with Retry-After', async () => {
  const fastify = require('fastify')()
  fastify.register(require('@fastify/formbody'))
  const store = new SQLiteStore(path.join(tmp, 'fastify.sqlite3'))
  await store.migrate()
  const guard = loginGuard({ store, key: (req) => req.body.username })
  let checks = 0
  fastify.post('/login', async (req, reply) => {
    const admission = await guard.admit(req)
    if (admission.locked) {
      return reply.code(429).header('Retry-After', admission.locked.retryAfterSecs).send({ message: admission.locked.message })
    }
    checks++
    const ok = req.body.password === 'Sakura-2026!'
    await admission.settle(ok)
    return reply.code(ok ? 200 : 401).send({ ok })
  })
  const inject = (password, lang = 'en') =>
    fastify.inject({ method: 'POST', url: '/login', headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': lang },
      payload: new URLSearchParams({ username: 'f1', password }).toString() })
  for (let i = 0; i < 5; i++) assert.equal((await inject('wrong')).statusCode, 401)
  const locked = await inject('Sakura-2026!', 'ja')
  assert.equal(locked.statusCode, 429)
  assert.ok(Number(locked.headers['retry-after']) >= 1)
  assert.ok(JSON.parse(locked.body).message.length > 0)
  assert.equal(checks, 5)
  await fastify.close()
  store.close()
})
