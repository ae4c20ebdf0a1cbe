'use strict'
// Boundary tests of Argon2id hashing: Promises off the main thread, Sync
// twins, Buffers for salt and pepper, rejections with codes.
const test = require('node:test')
const assert = require('node:assert/strict')
const rc = require('..')
const { throwsCoded, rejectsCoded } = require('./helpers')

const fast = { memoryKib: 1024, iterations: 1, parallelism: 1 }
const salt = Buffer.alloc(16, 1)
const pepper = Buffer.alloc(16, 2)

test('hashPassword resolves a PHC string that verifies (async and sync agree)', async () => {
  const phc = await rc.hashPassword('correct horse', { params: fast, salt })
  assert.match(phc, /^\$argon2id\$v=19\$m=1024,t=1,p=1\$/)
  assert.equal(phc, rc.hashPasswordSync('correct horse', { params: fast, salt }))
  assert.equal(await rc.verifyPassword('correct horse', phc), true)
  assert.equal(await rc.verifyPassword('wrong horse', phc), false)
  assert.equal(rc.verifyPasswordSync('correct horse', phc), true)
  assert.equal(rc.verifyPasswordSync('wrong horse', phc), false)
  // Uint8Array salt works like a Buffer.
  assert.equal(rc.hashPasswordSync('correct horse', { params: fast, salt: new Uint8Array(salt) }), phc)
})

test('defaults: OWASP parameters and a fresh OS-random salt', async () => {
  assert.deepEqual(rc.owaspHashParams(), { memoryKib: 19456, iterations: 2, parallelism: 1 })
  const a = await rc.hashPassword('pw')
  const b = await rc.hashPassword('pw')
  assert.match(a, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
  assert.notEqual(a, b)
  assert.equal(await rc.verifyPassword('pw', b), true)
  assert.equal(rc.needsRehash(a), false)
  assert.equal(rc.needsRehash(rc.hashPasswordSync('pw', { params: fast })), true)
  assert.equal(rc.needsRehash(a, { memoryKib: 65536, iterations: 3, parallelism: 1 }), true)
})

test('pepper is required to verify a peppered hash', async () => {
  const phc = await rc.hashPassword('pw', { params: fast, pepper })
  assert.equal(await rc.verifyPassword('pw', phc, { pepper }), true)
  assert.equal(await rc.verifyPassword('pw', phc), false)
  assert.equal(rc.verifyPasswordSync('pw', phc, { pepper: Buffer.alloc(16, 3) }), false)
})

test('rejections carry codes (async rejects, sync throws)', async () => {
  await rejectsCoded(rc.hashPassword('x'.repeat(4097), { params: fast }), 'hash.input_too_long', { max_bytes: '4096' })
  await rejectsCoded(rc.hashPassword('pw', { params: fast, salt: Buffer.alloc(8) }), 'hash.invalid_salt', { actual: '8' })
  await rejectsCoded(rc.hashPassword('pw', { params: fast, pepper: Buffer.alloc(4) }), 'hash.invalid_pepper')
  await rejectsCoded(rc.hashPassword('pw', { params: { memoryKib: 1024, iterations: 0, parallelism: 1 } }), 'hash.invalid_params')
  await rejectsCoded(rc.verifyPassword('pw', 'not a phc'), 'hash.malformed_phc')
  await rejectsCoded(rc.verifyPassword('pw', '$2b$12$abcdefghijklmnopqrstuu5Kt6e0ZgJvH0N9oJqC4uV4C9fSO8C2'), 'hash.malformed_phc')
  throwsCoded(() => rc.hashPasswordSync('x'.repeat(4097)), 'hash.input_too_long')
  throwsCoded(() => rc.verifyPasswordSync('pw', '$argon2id$v=19$m=99999999,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), 'hash.invalid_params')
  throwsCoded(() => rc.needsRehash('garbage'), 'hash.malformed_phc')
  // A wrong JavaScript type is core's coded invalid_input, as a rejection like
  // every other refusal of the Promise form (napi's uncoded StringExpected
  // before).
  await rejectsCoded(rc.hashPassword(42), 'binding.invalid_string', { name: 'password' }, 'invalid_input')
  await rejectsCoded(rc.verifyPassword('pw', 42), 'binding.invalid_string', { name: 'phc' }, 'invalid_input')
  throwsCoded(() => rc.hashPasswordSync(42), 'binding.invalid_string', { name: 'password' }, 'invalid_input')
})

// Issue 13: a tampered row (1 GiB, 64 passes) used to run for ~25 s.
const TAMPERED =
  '$argon2id$v=19$m=1048576,t=64,p=1$cmVnY29yZS1zYWx0LTE2Yg$PXoEILKx0C1rM7HQu09tbCFPfKghx2SVsRgfimXyboY'

test('a tampered hash over the cost limit is refused before hashing, quickly', async () => {
  const limit = rc.defaultVerifyLimit()
  assert.deepEqual(limit, { maxMemoryKib: 262144, maxWork: 1048576 })
  const expected = {
    memory_kib: '1048576',
    iterations: '64',
    max_memory_kib: '262144',
    max_work: '1048576',
  }
  const started = process.hrtime.bigint()
  throwsCoded(() => rc.verifyPasswordSync('x', TAMPERED), 'hash.cost_over_limit', expected, 'stored_state')
  await rejectsCoded(rc.verifyPassword('x', TAMPERED), 'hash.cost_over_limit', expected, 'stored_state')
  await rejectsCoded(rc.verifyPassword('x', TAMPERED, { pepper }), 'hash.cost_over_limit')
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6
  assert.ok(elapsedMs < 1000, `refusing took ${elapsedMs} ms`)
})

test('verify takes an explicit cost limit', async () => {
  const phc = rc.hashPasswordSync('pw', { params: { memoryKib: 2048, iterations: 2, parallelism: 1 }, salt })
  const tight = { maxMemoryKib: 1024, maxWork: 1 << 20 }
  throwsCoded(() => rc.verifyPasswordSync('pw', phc, { limit: tight }), 'hash.cost_over_limit', {
    max_memory_kib: '1024',
  })
  await rejectsCoded(rc.verifyPassword('pw', phc, { limit: { maxMemoryKib: 4096, maxWork: 4095 } }), 'hash.cost_over_limit', {
    max_work: '4095',
  })
  assert.equal(await rc.verifyPassword('pw', phc, { limit: { maxMemoryKib: 2048, maxWork: 4096 } }), true)
  assert.equal(rc.verifyPasswordSync('nope', phc, { limit: { maxMemoryKib: 2048, maxWork: 4096 } }), false)
  // A bad limit is a coded boundary error (the async form rejects).
  await rejectsCoded(rc.verifyPassword('pw', phc, { limit: { maxMemoryKib: -1, maxWork: 1 } }), 'binding.integer_out_of_range', {
    name: 'maxMemoryKib',
  }, 'invalid_input')
  throwsCoded(() => rc.verifyPasswordSync('pw', phc, { limit: { maxMemoryKib: 1, maxWork: 0.5 } }), 'binding.invalid_integer', {
    name: 'maxWork',
  })
})

test('the event loop keeps ticking while Argon2 runs', async () => {
  const heavy = { memoryKib: 65536, iterations: 3, parallelism: 1 }
  let ticks = 0
  let running = true
  const spin = () => {
    if (!running) return
    ticks++
    setImmediate(spin)
  }
  setImmediate(spin)
  const started = process.hrtime.bigint()
  const phc = await rc.hashPassword('event loop', { params: heavy })
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6
  running = false
  assert.match(phc, /^\$argon2id\$v=19\$m=65536,t=3,p=1\$/)
  // A 64 MiB, 3-pass hash takes tens of milliseconds at least; the loop
  // turned many times meanwhile. A hash on the main thread would allow none.
  assert.ok(elapsedMs > 10, `hash took ${elapsedMs} ms`)
  assert.ok(ticks >= 10, `only ${ticks} event-loop turns during a ${elapsedMs} ms hash`)

  let syncTicks = 0
  const timer = setImmediate(() => syncTicks++)
  rc.hashPasswordSync('event loop', { params: heavy })
  assert.equal(syncTicks, 0, 'the Sync twin blocks the loop, as documented')
  clearImmediate(timer)
})

test('many concurrent hashes all resolve', async () => {
  const passwords = Array.from({ length: 8 }, (_, i) => `pw-${i}`)
  const hashes = await Promise.all(passwords.map((p) => rc.hashPassword(p, { params: fast })))
  const checks = await Promise.all(hashes.map((h, i) => rc.verifyPassword(passwords[i], h)))
  assert.deepEqual(checks, passwords.map(() => true))
})
