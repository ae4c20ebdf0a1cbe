'use strict'
// The declarations and the runtime agree: every class and function in
// index.d.ts exists at runtime (and nothing undeclared is exported), and
// every string-literal union matches the runtime enum napi exports.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const rc = require('..')

const dts = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8')

test('declared classes and functions exist at runtime, and only those', () => {
  const declared = new Set()
  for (const m of dts.matchAll(/^export declare (?:class|function|const) (\w+)/gm)) declared.add(m[1])
  const unions = new Map()
  for (const m of dts.matchAll(/^export type (\w+) = ((?:'[^']*'(?: \| )?)+)$/gm)) {
    unions.set(m[1], [...m[2].matchAll(/'([^']*)'/g)].map((x) => x[1]))
  }
  assert.ok(declared.size > 40, `only ${declared.size} declarations`)
  declared.delete('__napiBindingTarget') // the loader's own marker
  for (const name of declared) {
    assert.equal(typeof rc[name], /^[A-Z_]+$/.test(name) ? 'number' : 'function', name)
  }
  for (const name of Object.keys(rc)) {
    if (name.startsWith('__')) continue
    assert.ok(declared.has(name) || unions.has(name), `${name} is exported but not declared`)
  }
  for (const [name, values] of unions) {
    if (!(name in rc)) continue
    assert.deepEqual(Object.values(rc[name]).sort(), [...values].sort(), name)
  }
  assert.deepEqual(unions.get('DeviceKind'), ['ups', 'gateway', 'terminal', 'activation'])
  assert.deepEqual(unions.get('CodePurpose'), ['sign_up', 'email_change', 'password_reset'])
})

test('RegcoreError is declared for TypeScript users', () => {
  assert.match(dts, /export interface RegcoreError extends Error/)
  assert.match(dts, /messageJa: string/)
})
