'use strict'
// A reply lost after the server ran the write, made by a TCP proxy on
// loopback between node-redis / node-postgres and the real servers (the
// Python suite does the same with redis-py and psycopg).
const test = require('node:test')
const assert = require('node:assert/strict')
const net = require('node:net')
const rc = require('../index.js')
const storeLib = require('../store')
const h = require('./store-helpers')

const { Admitted, RedisStore, PostgresStore } = storeLib
const fx = new h.Fixtures('faults')
test.after(() => fx.cleanup())
const POLICY = rc.LockoutPolicy.upsSite()

/** Forwards 127.0.0.1:<port> to `upstream`; `dropReplyAfter(marker)` lets
 * the next client chunk holding `marker` reach the server, swallows the
 * server's reply and closes the client's connection (once). */
function loopbackProxy(upstream) {
  const sockets = new Set()
  const state = { marker: null, dropped: 0, sent: [] }
  const server = net.createServer((client) => {
    const up = net.connect(upstream)
    sockets.add(client)
    sockets.add(up)
    let swallow = false
    client.on('data', (chunk) => {
      state.sent.push(chunk)
      if (state.marker && chunk.includes(state.marker)) {
        state.marker = null
        swallow = true
        up.write(chunk)
        setTimeout(() => {
          state.dropped += 1
          client.destroy()
          up.destroy()
        }, 300)
        return
      }
      up.write(chunk)
    })
    up.on('data', (chunk) => {
      if (!swallow) client.write(chunk)
    })
    for (const s of [client, up]) {
      s.on('error', () => {})
      s.on('close', () => {
        client.destroy()
        up.destroy()
      })
    }
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: server.address().port,
        dropReplyAfter: (marker) => {
          state.marker = Buffer.from(marker)
        },
        count: (marker) => state.sent.filter((c) => c.includes(marker)).length,
        get dropped() {
          return state.dropped
        },
        close: () =>
          new Promise((done) => {
            for (const s of sockets) s.destroy()
            server.close(() => done())
          }),
      })
    })
  })
}

const redisAddress = () => {
  const url = new URL(h.REDIS)
  return { host: url.hostname, port: Number(url.port || 6379) }
}

test('redis: a lost reply to a write is counted once (node-redis never re-sends it: store.outcome_unknown, the attempt recorded)', { skip: h.skip }, async () => {
  const redis = require('redis')
  const direct = await h.redisClient('redis')
  await direct.scriptLoad(require('../store/redis').CAS_SCRIPT) // cached, so the first EVALSHA runs it
  const proxy = await loopbackProxy(redisAddress())
  const client = redis.createClient({ socket: { host: '127.0.0.1', port: proxy.port } }) // node-redis defaults: reconnects
  client.on('error', () => {})
  await client.connect()
  const prefix = `nf${process.pid}${Date.now() % 100000}`
  const store = new RedisStore(client, { prefix })
  const check = new RedisStore(direct, { prefix })
  try {
    proxy.dropReplyAfter('EVALSHA')
    let outcome
    try {
      outcome = await store.lockoutAdmit('alice', POLICY, h.T0)
    } catch (e) {
      outcome = e
    }
    assert.equal(proxy.dropped, 1)
    if (outcome instanceof Admitted) {
      // A client that sends it again: the script recognises its token.
      // (node-redis 5 does not: it rejects the command in flight.)
      assert.equal(proxy.count('EVALSHA'), 2)
    } else {
      assert.equal(outcome.name, 'RegcoreError', String(outcome))
      assert.equal(outcome.code, 'store.outcome_unknown')
      assert.equal(outcome.kind, 'store_unavailable')
      assert.match(outcome.message, /may have been recorded/)
      assert.equal(proxy.count('EVALSHA'), 1)
    }
    // Either way: one attempt, one failure stored.
    assert.equal((await check.lockoutState('alice')).failures, 1)
  } finally {
    await client.close().catch(() => {})
    await direct.close()
    await proxy.close()
  }
})

test('postgres: a lost reply to the guarded INSERT is store.outcome_unknown and the attempt is recorded', { skip: h.skip }, async () => {
  const { Client } = require('pg')
  const database = await fx.pgDatabase()
  const config = h.pgConfig(database)
  const proxy = await loopbackProxy({ host: config.host, port: config.port })
  const prefix = `nf${process.pid}${Date.now() % 100000}`
  const admin = new Client(config)
  await admin.connect()
  const check = new PostgresStore(admin, { prefix })
  await check.migrate()
  const client = new Client({ ...config, host: '127.0.0.1', port: proxy.port, ssl: false })
  client.on('error', () => {})
  await client.connect()
  const store = new PostgresStore(client, { prefix })
  try {
    assert.equal((await store.lockoutState('carol')).failures, 0) // the schema check, before the fault
    proxy.dropReplyAfter('INSERT INTO')
    await assert.rejects(store.lockoutAdmit('carol', POLICY, h.T0), (e) => {
      assert.equal(e.code, 'store.outcome_unknown', `${e.code}: ${e.message}`)
      assert.equal(e.kind, 'store_unavailable')
      return true
    })
    assert.equal(proxy.dropped, 1)
    assert.equal((await check.lockoutState('carol')).failures, 1)
  } finally {
    await client.end().catch(() => {})
    await admin.end()
    await proxy.close()
  }
})
