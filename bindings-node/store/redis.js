'use strict'
// Redis store over node-redis (`redis` 4 or 5): lockout, code and session
// state at high rates, on a standalone server (`createClient`) or a Redis
// Cluster (`createCluster`); pass a connected client. An executor of the
// store protocol: it runs the `GET` and the compare-and-set script (by its
// SHA; `EVAL` again after `NOSCRIPT`, e.g. after `SCRIPT FLUSH` or a
// failover) that the protocol names, with the keys, arguments and TTLs it
// names, and maps node-redis's errors. The pairing ledger is refused by the
// protocol (`store.unsupported`): asynchronous replication can lose a
// "forever" binding.
const rc = require('./_native')
const errors = require('./_errors')
const { Store } = require('./_api')
const { drive } = require('./_drive')

/** The compare-and-set script (the store protocol's; shown for operators). */
const CAS_SCRIPT = rc.redisCasScript()
const CAS_SHA = rc.redisCasSha()

function requireRedis() {
  try {
    return require('redis')
  } catch (e) {
    throw errors.driverMissing('redis', 'redis', e)
  }
}

const isNoScript = (e) => e instanceof Error && /^NOSCRIPT/.test(e.message)

/** An error reply of the server (WRONGTYPE and kin): it holds something else. */
function isReply(e) {
  for (let c = e && e.constructor; c && c !== Error; c = Object.getPrototypeOf(c)) {
    if (c.name === 'ErrorReply' || c.name === 'ReplyError') return true
  }
  return false
}

const UNREACHABLE = new Set(['ClientClosedError', 'ClientOfflineError', 'ConnectionTimeoutError', 'RootNodesUnavailableError'])

function classify(e) {
  if (isReply(e)) return 'rejected'
  const name = e && e.constructor && e.constructor.name
  if (UNREACHABLE.has(name) || (e && e.code === 'ECONNREFUSED')) return 'unreachable' // nothing was sent
  return 'unavailable'
}

class RedisStore extends Store {
  /**
   * @param client a connected node-redis client or cluster
   * @param options `{ prefix = 'regcore', retry }`
   */
  constructor(client, { prefix, retry } = {}) {
    requireRedis()
    super('redis', { prefix, retry })
    if (!client || typeof client.get !== 'function' || typeof client.evalSha !== 'function' || typeof client.eval !== 'function') {
      throw errors.invalidClient('redis', 'a node-redis client or cluster (createClient / createCluster)')
    }
    this.client = client
  }

  async _execute(command) {
    if (command.kind === 'get') return this.client.get(command.key)
    const options = { keys: [command.key], arguments: command.args }
    try {
      return await this.client.evalSha(CAS_SHA, options)
    } catch (e) {
      if (!isNoScript(e)) throw e
      // Flushed or never loaded on this node: EVAL runs it and caches it.
      return this.client.eval(CAS_SCRIPT, options)
    }
  }

  async _drive(op) {
    await drive(op, (command) => this._execute(command), classify)
  }
}

module.exports = { RedisStore, CAS_SCRIPT, CAS_SHA }
