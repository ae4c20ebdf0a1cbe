'use strict'
// Shared assertions for the boundary tests.
const assert = require('node:assert/strict')

/** Assert that fn throws a RegcoreError with the given code (and params subset). */
function throwsCoded(fn, code, params = {}) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof Error, 'is an Error')
    assert.equal(err.name, 'RegcoreError')
    assert.equal(err.code, code)
    for (const [k, v] of Object.entries(params)) assert.equal(err.params[k], v, `param ${k}`)
    assert.equal(typeof err.message, 'string')
    assert.ok(err.message.length > 0)
    assert.equal(typeof err.messageJa, 'string')
    assert.ok(err.messageJa.length > 0)
    return true
  })
}
module.exports = { throwsCoded }
