'use strict'
// Redis store over node-redis (`redis` 4 or 5): lockout, code and session
// state at high rates, on a standalone server (`createClient`) or a Redis
// Cluster (`createCluster`); pass a connected client. Each operation reads
// one key, asks core for the next state and writes it with one server-side
// compare-and-set (a Lua script run by its SHA, `EVAL` again after
// `NOSCRIPT`, e.g. after `SCRIPT FLUSH` or a failover). A lost race returns
// the current value, so the retry needs no extra read. Keys are
// `<prefix>:<kind>:{<id>}`: one key per operation (one slot), its hash tag
// the id, with a TTL derived from the policy. The pairing ledger is refused
// (`store.unsupported`): asynchronous replication can lose a "forever"
// binding. Script, keys and TTLs are the Python store layer's.
const crypto = require('node:crypto')
const errors = require('./_errors')
const { Store } = require('./_api')
const { KEEP, DELETE, DAY_MS } = require('./_model')
const retry = require('./_retry')

// KEYS[1]; ARGV: expected ('' = absent), new ('' = delete), TTL in ms.
// Returns {1} when written, {0, current} when not.
const CAS_SCRIPT = `local cur = redis.call('GET', KEYS[1])
if not cur then cur = '' end
if cur ~= ARGV[1] then return {0, cur} end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return {1}
`
const CAS_SHA = crypto.createHash('sha1').update(CAS_SCRIPT).digest('hex')

function requireRedis() {
  try {
    return require('redis')
  } catch (e) {
    throw errors.driverMissing('redis', 'redis', e)
  }
}

/** `<prefix>:<table>:{<id>}`: the whole id (a code's purpose and subject,
 * joined by U+001F) is the hash tag; braces in it are doubled. */
function redisKey(prefix, table, address) {
  const ident = address.join('\x1f').replace(/\{/g, '{{').replace(/\}/g, '}}')
  return `${prefix}:${table}:{${ident}}`
}

function casArgs(old, s) {
  const fresh = s.write === DELETE ? '' : String(s.write)
  let ttl = DAY_MS
  if (s.expiresMs !== null && s.nowMs !== null) ttl = s.expiresMs - s.nowMs
  // A state already past its expiry (a caller's clock far behind) is kept a
  // second rather than written without a TTL.
  return [old === null ? '' : old, fresh, String(Math.max(ttl, 1000))]
}

const isNoScript = (e) => e instanceof Error && /^NOSCRIPT/.test(e.message)

class RedisStore extends Store {
  /**
   * @param client a connected node-redis client or cluster
   * @param options `{ prefix = 'regcore', retry }`
   */
  constructor(client, { prefix, retry: retryPolicy } = {}) {
    requireRedis()
    super(retryPolicy)
    if (!client || typeof client.get !== 'function' || typeof client.evalSha !== 'function') {
      throw new TypeError('RedisStore needs a node-redis client or cluster (createClient / createCluster)')
    }
    this.prefix = errors.checkPrefix(prefix === undefined ? 'regcore' : prefix)
    this.client = client
  }

  async _cas(key, args) {
    const options = { keys: [key], arguments: args }
    try {
      return await this.client.evalSha(CAS_SHA, options)
    } catch (e) {
      if (!isNoScript(e)) throw e
      // Flushed or never loaded on this node: EVAL runs it and caches it.
      return this.client.eval(CAS_SCRIPT, options)
    }
  }

  _cell(table, address, decide, operation) {
    const key = redisKey(this.prefix, table, address)
    const attempt = async (current, known) => {
      let reply
      let s
      let old
      try {
        old = known ? current : await this.client.get(key)
        s = decide(old)
        if (s.write === KEEP) return s.result
        reply = await this._cas(key, casArgs(old, s))
      } catch (e) {
        if (errors.isRegcoreError(e) || e instanceof TypeError || e instanceof RangeError) throw e
        throw errors.unavailable('redis', operation, e)
      }
      if (Number(reply[0]) === 1) return s.result
      const now = reply.length > 1 && reply[1] !== '' ? String(reply[1]) : null
      throw new retry.Conflict(now, true)
    }
    return retry.run(operation, attempt, this.retry, this.stats)
  }

  async _read(table, address, operation) {
    try {
      return await this.client.get(redisKey(this.prefix, table, address))
    } catch (e) {
      throw errors.unavailable('redis', operation, e)
    }
  }

  /** Refused: the pairing ledger needs SQLite or PostgreSQL. */
  async ledgerIssue() {
    throw errors.unsupported('redis', 'ledger')
  }

  /** Refused: Redis keys need no migration (and hold no ledger). */
  async migrate() {
    throw errors.unsupported('redis', 'ledger')
  }
}
for (const name of [
  'ledgerRebind',
  'ledgerBindings',
  'ledgerByMprId',
  'ledgerByActivationNumber',
  'ledgerRebinds',
  'ledgerHistory',
  'ledgerHistoryCsv',
  'ledgerDailyCounts',
]) {
  RedisStore.prototype[name] = RedisStore.prototype.ledgerIssue
}

module.exports = { RedisStore, CAS_SCRIPT, CAS_SHA, redisKey }
