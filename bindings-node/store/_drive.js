'use strict'
// The drive loop: run the commands a store operation names, pass back the
// replies. A command is a plain object from the native `StoreOperation`:
// `{ kind: 'count' | 'row' | 'rows', sql, params }`, `{ kind: 'get', key }`,
// `{ kind: 'cas', key, args }`, `{ kind: 'sleep', ms }` or `{ kind: 'done' }`.
// The executor's `execute(command)` runs one command on its driver (it may
// answer synchronously: then nothing else of this process runs between two
// commands); `classify(error)` names a driver error (`'conflict'`,
// `'missing_table'`, `'rejected'`, `'unreachable'`, `'unavailable'`) or
// returns null to let it propagate. What happens next (retry, rollback,
// give up with which code) is the operation's.
const { withCause, isRegcoreError } = require('./_errors')

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** A reply as the JSON text the binding reads (BIGINT as its digits). */
const encode = (reply) => JSON.stringify(reply === undefined ? null : reply, (_, v) => (typeof v === 'bigint' ? v.toString() : v))

async function drive(op, execute, classify) {
  const started = performance.now()
  let cause
  try {
    let command = op.resume()
    while (command.kind !== 'done') {
      if (command.kind === 'sleep') {
        await sleep(command.ms)
        command = op.resume(encode(performance.now() - started))
        continue
      }
      let reply
      try {
        reply = execute(command)
        if (reply !== null && typeof reply === 'object' && typeof reply.then === 'function') reply = await reply
      } catch (e) {
        const failure = classify(e)
        if (failure === null) throw e
        cause = e && e.driverError !== undefined ? e.driverError : e
        command = op.fail(failure)
        continue
      }
      command = op.resume(encode(reply))
    }
  } catch (e) {
    if (cause !== undefined && isRegcoreError(e)) withCause(e, cause)
    throw e
  }
}

module.exports = { drive, encode }
