'use strict'
// Shared assertions for the boundary tests.
const assert = require('node:assert/strict')

const KINDS = [
  'invalid_input',
  'rejected',
  'locked',
  'expired',
  'refused',
  'stored_state',
  'configuration',
  'store_contended',
  'store_unavailable',
  'internal',
]

/**
 * Assert that fn throws a RegcoreError with the given code (and params
 * subset, and kind when given; every error has one of core's kinds).
 */
function throwsCoded(fn, code, params = {}, kind = undefined) {
  assert.throws(fn, (err) => {
    assertCoded(err, code, params, kind)
    return true
  })
}

/** Assert that a promise rejects with a RegcoreError (as throwsCoded). */
async function rejectsCoded(promise, code, params = {}, kind = undefined) {
  await assert.rejects(promise, (err) => {
    assertCoded(err, code, params, kind)
    return true
  })
}

function assertCoded(err, code, params = {}, kind = undefined) {
  assert.ok(err instanceof Error, 'is an Error')
  assert.equal(err.name, 'RegcoreError')
  assert.equal(err.code, code)
  assert.ok(KINDS.includes(err.kind), `kind ${err.kind}`)
  if (kind !== undefined) assert.equal(err.kind, kind, 'kind')
  for (const [k, v] of Object.entries(params)) assert.equal(err.params[k], v, `param ${k}`)
  assert.equal(typeof err.message, 'string')
  assert.ok(err.message.length > 0)
  assert.equal(typeof err.messageJa, 'string')
  assert.ok(err.messageJa.length > 0)
}
module.exports = { throwsCoded, rejectsCoded, assertCoded, KINDS }
