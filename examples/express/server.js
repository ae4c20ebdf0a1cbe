'use strict'
// A minimal Express 5 login page guarded by regcore/express.
//
//   PORT=3000 WORKERS=2 node server.js        (after bash setup.sh)
//
// Store: SQLite file REGCORE_DEMO_DB (default ./demo.sqlite3), or Redis when
// REDIS_URL is set. Every user of the demo has the password Sakura-2026!.
// CHECK_COUNTER=<file> appends one byte per password check (for the tests).
const cluster = require('node:cluster')
const fs = require('node:fs')
const path = require('node:path')
const express = require('express')
const { LockoutPolicy, PasswordPolicy, hashPasswordSync, verifyPassword } = require('regcore')
const { SQLiteStore, RedisStore } = require('regcore/store')
const { loginGuard, passwordErrors, passwordHelp, language } = require('regcore/express')

const workers = Number(process.env.WORKERS || 1)
const dbPath = process.env.REGCORE_DEMO_DB || path.join(__dirname, 'demo.sqlite3')

async function openStore() {
  if (process.env.REDIS_URL) {
    const { createClient } = require(require.resolve('redis', { paths: [require.resolve('regcore')] }))
    const client = createClient({ url: process.env.REDIS_URL })
    await client.connect()
    return new RedisStore(client, { prefix: process.env.REGCORE_PREFIX || 'regcore' })
  }
  return new SQLiteStore(dbPath, { prefix: process.env.REGCORE_PREFIX || 'regcore' })
}

const PHC = hashPasswordSync('Sakura-2026!')
const T = {
  en: { title: 'regcore/express demo', login: 'Log in', user: 'User', password: 'Password', submit: 'Submit',
        wrong: 'Wrong user or password.', welcome: 'Welcome', signup: 'Check a password' },
  ja: { title: 'regcore/express デモ', login: 'ログイン', user: 'ユーザー', password: 'パスワード', submit: '送信',
        wrong: 'ユーザーまたはパスワードが違います。', welcome: 'ようこそ', signup: 'パスワードの確認' },
}
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c])
const page = (lang, body) =>
  `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${T[lang].title}</title>` +
  `<style>body{font-family:"IPAGothic","Noto Sans CJK JP",sans-serif;max-width:40rem;margin:1.5rem auto}.err{color:#a00}</style>` +
  `</head><body><h1>${T[lang].title}</h1>${body}</body></html>`
const lockedPage = (locked) =>
  page(locked.lang, `<h2>429</h2><p id="locked" class="err">${esc(locked.message)}</p>` +
    `<p>Retry-After: <span id="retry-after">${locked.retryAfterSecs}</span> s</p><p><a href="/login">/login</a></p>`)

function loginForm(lang, error) {
  const t = T[lang]
  return page(lang, `<h2>${t.login}</h2>${error ? `<p id="error" class="err">${esc(error)}</p>` : ''}` +
    `<form method="post" action="/login"><p>${t.user} <input id="username" name="username"></p>` +
    `<p>${t.password} <input id="password" name="password" type="password"></p><button id="submit">${t.submit}</button></form>`)
}

async function app() {
  const store = await openStore()
  const policy = PasswordPolicy.upsSite()
  const counter = process.env.CHECK_COUNTER
  const guard = loginGuard({
    store,
    policy: LockoutPolicy.upsSite(),
    key: (req) => req.body && req.body.username,
    onLocked: (req, res, locked) =>
      res.status(429).set('Retry-After', String(locked.retryAfterSecs)).type('html').send(lockedPage(locked)),
  })
  const a = express()
  a.use(express.urlencoded({ extended: false }))
  a.use(express.json())
  a.get('/login', (req, res) => res.type('html').send(loginForm(language(req))))
  a.post('/login', guard, async (req, res) => {
    if (counter) fs.appendFileSync(counter, 'x')
    const ok = await verifyPassword(String(req.body.password || ''), PHC)
    const { locked } = await req.regcore.settle(ok)
    if (ok) return res.type('html').send(page(language(req), `<p id="welcome">${T[language(req)].welcome}, ${esc(req.body.username)}</p>`))
    if (locked) return res.status(429).set('Retry-After', String(locked.retryAfterSecs)).type('html').send(lockedPage(locked))
    res.status(401).type('html').send(loginForm(language(req), T[language(req)].wrong))
  })
  a.post('/password-check', (req, res) => {
    const errors = passwordErrors(policy, String(req.body.password || ''), req)
    res.status(errors.length ? 422 : 200).json({ errors, rules: passwordHelp(policy, req) })
  })
  a.get('/locked-json', guard, (req, res) => res.json({ admitted: true }))
  return a
}

async function main() {
  if (cluster.isPrimary) {
    const store = await openStore()
    if (store.migrate && !process.env.REDIS_URL) await store.migrate()
    if (store.close) store.close()
    if (workers > 1) {
      for (let i = 0; i < workers; i++) cluster.fork()
      cluster.on('exit', (w, code) => { if (code) console.error(`worker ${w.process.pid} exited ${code}`) })
      return
    }
  }
  const a = await app()
  const server = a.listen(Number(process.env.PORT || 3000), '127.0.0.1', () => {
    console.log(`regcore/express demo on http://127.0.0.1:${server.address().port}/login (pid ${process.pid})`)
  })
}

if (require.main === module) main().catch((e) => { console.error(e); process.exit(1) })
module.exports = { app }
