'use strict'
// The README's Node quick start runs as written (with `regcore` resolved to
// this checkout), so the documentation cannot drift from the API.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const Module = require('node:module')

test('the README Node.js quick start runs', async () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('### Node.js'))
  const block = /```js\n([\s\S]*?)```/.exec(section)
  assert.ok(block, 'no js block under "### Node.js"')
  const source = block[1].replace(/^main\(\)\s*$/m, 'module.exports = main')
  const file = path.join(__dirname, '..', 'readme-quickstart.js')
  const m = new Module(file, module)
  m.filename = file
  m.paths = Module._nodeModulePaths(path.dirname(file))
  const original = Module._resolveFilename
  Module._resolveFilename = function (request, ...rest) {
    if (request === 'regcore') return require.resolve('..')
    if (request === 'regcore/store') return require.resolve('../store')
    return original.call(this, request, ...rest)
  }
  const lines = []
  const log = console.log
  console.log = (...args) => lines.push(args.map(String).join(' '))
  try {
    m._compile(source, file)
    await m.exports()
  } finally {
    console.log = log
    Module._resolveFilename = original
  }
  assert.ok(lines.includes('true'), lines.join('\n'))
  assert.ok(lines.some((l) => l.startsWith('false 1 ')), lines.join('\n'))
  assert.ok(lines.includes('binding.integer_out_of_range invalid_input'), lines.join('\n'))
})
