'use strict'
// Boundary tests of the unlock-key classes: types in and out, coded errors,
// batch equals single, secrets never printed.
const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const rc = require('..')
const { throwsCoded } = require('./helpers')

const bytes = Buffer.alloc(32, 7)
const master = new rc.MasterSecret(3, bytes)

test('MasterSecret accepts Buffer and Uint8Array, rejects bad lengths', () => {
  assert.equal(master.keyId, 3)
  assert.equal(master.isDemo, false)
  const fromU8 = new rc.MasterSecret(3, new Uint8Array(bytes))
  assert.equal(fromU8.keyCode('A1').value, master.keyCode('A1').value)
  throwsCoded(() => new rc.MasterSecret(1, Buffer.alloc(31)), 'keys.master_length', {
    min: '32',
    max: '64',
    actual: '31',
  })
  throwsCoded(() => new rc.MasterSecret(1, Buffer.alloc(65)), 'keys.master_length')
  assert.throws(() => new rc.MasterSecret(1, 'not bytes'))
  const demo = master.demo()
  assert.equal(demo.isDemo, true)
  assert.equal(demo.keyId, 3)
  assert.equal(demo.demo().keyCode('A1').value, demo.keyCode('A1').value)
})

test('secrets are not printed', () => {
  const k = master.deviceKey('ups', 'A1')
  assert.equal(String(k), 'DeviceKey(<redacted>)')
  assert.ok(!JSON.stringify(Object.entries(master)).includes('0707'))
})

test('identifiers may be strings or identifier objects', () => {
  const a = master.keyCode('s-1２3')
  const b = master.keyCode(rc.UpsSerial.parse('S123'))
  assert.ok(a.equals(b))
  const mpr = rc.MprId.parse('0123456789abcdef')
  const num = rc.ActivationNumber.parse('1111-1111-1111-1111')
  assert.ok(master.registrationKey(mpr, num, 257).equals(master.registrationKey('0123-4567-89ab-cdef', '1111111111111111', 257)))
  throwsCoded(() => master.keyCode('bad_serial'), 'identifier.invalid_character', { kind: 'ups_serial' })
  throwsCoded(() => master.registrationKey('0123', num, 1), 'identifier.too_short', { kind: 'mpr_id' })
  throwsCoded(() => master.registrationKey(mpr, num, 65536), 'binding.integer_out_of_range', {
    name: 'product',
    min: '0',
    max: '65535',
  })
  assert.throws(() => master.keyCode(42))
})

test('DeviceKey bytes and hex round-trip; wrong formats are coded', () => {
  const k = master.deviceKey('terminal', '0123-4567-89AB-CDEF')
  const raw = k.toBytes()
  assert.ok(Buffer.isBuffer(raw))
  assert.equal(raw.length, 32)
  assert.ok(rc.DeviceKey.fromBytes(raw).equals(k))
  assert.ok(rc.DeviceKey.fromBytes(new Uint8Array(raw)).equals(k))
  assert.ok(rc.DeviceKey.fromHex(k.toHex().toUpperCase()).equals(k))
  throwsCoded(() => rc.DeviceKey.fromBytes(Buffer.alloc(31)), 'keys.device_key_length')
  throwsCoded(() => rc.DeviceKey.fromHex('zz'.repeat(32)), 'keys.device_key_format')
  // The error never echoes the secret.
  try {
    rc.DeviceKey.fromHex('ab'.repeat(31) + 'zz')
  } catch (err) {
    assert.ok(!err.message.includes('abab') && !JSON.stringify(err.params).includes('abab'))
  }
  assert.ok(master.deviceKey('activation').equals(master.deviceKey('activation', 'ignored')))
  throwsCoded(() => master.deviceKey('toaster', 'A1'), 'binding.unknown_name', {
    name: 'kind',
    value: 'toaster',
    expected: 'ups,gateway,terminal,activation',
  })
  throwsCoded(() => master.deviceKeys('UPS', ['A1']), 'binding.unknown_name', { name: 'kind' })
})

test('one verification shape: typed.verify(deviceKey); errors are coded with kinds', () => {
  const kUps = master.deviceKey('ups', 'A1')
  const right = kUps.keyCode()
  assert.equal(right.verify(kUps), undefined)
  rc.KeyCode.parse(right.binary).verify(kUps)
  rc.KeyCode.parse(right.decimal).verify(kUps)
  const wrong = rc.KeyCode.fromValue((right.value + 1) % 1024)
  throwsCoded(() => wrong.verify(kUps), 'keycode.mismatch', {}, 'rejected')
  throwsCoded(() => rc.KeyCode.parse('12'), 'keycode.wrong_length', {}, 'invalid_input')
  throwsCoded(() => rc.KeyCode.fromValue(1024), 'keycode.out_of_range', {}, 'invalid_input')
  assert.equal(rc.KeyCode.fromValue(5).toString(), '0005')
  assert.equal(JSON.stringify(rc.KeyCode.fromValue(5)), '"0005"')

  const kGw = master.deviceKey('gateway', '01AB12345678')
  const pw = kGw.gatewayPassword()
  assert.match(pw, /^[a-km-np-z2-9]{13}$/)
  const typedPw = rc.GatewayPassword.parse(pw.toUpperCase())
  typedPw.verify(kGw)
  assert.equal(String(typedPw), 'GatewayPassword(<redacted>)')
  throwsCoded(() => rc.GatewayPassword.parse('a'.repeat(13)).verify(kGw), 'gateway_password.mismatch', {}, 'rejected')
  throwsCoded(() => rc.GatewayPassword.parse('abc'), 'gateway_password.wrong_length', {}, 'invalid_input')
  master.verifyGatewayPassword('01AB12345678', pw)
  throwsCoded(() => master.verifyGatewayPassword('01AB12345678', 'abc'), 'gateway_password.wrong_length')

  const kTerm = master.deviceKey('terminal', '0123456789ABCDEF')
  const rk = kTerm.registrationKey('1111-1111-1111-1111', 0x0101)
  assert.equal(rk.verify(kTerm), 0x0101)
  assert.equal(rc.RegistrationKey.parse(rk.compact.toLowerCase()).verify(kTerm), 0x0101)
  assert.match(rk.toString(), /^[0-9A-F]{4}(-[0-9A-F]{4}){3}$/)
  assert.equal(JSON.stringify(rk), `"${rk}"`)
  assert.ok(rc.RegistrationKey.parse(rk.toString()).equals(rk))
  throwsCoded(
    () => rk.verify(master.demo().deviceKey('terminal', '0123456789ABCDEF')),
    'regkey.authentication_failed',
    {},
    'rejected',
  )
  throwsCoded(() => rc.RegistrationKey.parse('12'), 'regkey.wrong_length')

  const auth = master.activationAuthority()
  const ak = auth.mint(0x0101, 7)
  assert.deepEqual(ak.verify(auth), { product: 0x0101, serial: 7 })
  throwsCoded(
    () => new rc.ActivationKey(ak.number, '00000000').verify(auth),
    'activation.authentication_failed',
    {},
    'rejected',
  )

  // The old forms are gone.
  assert.equal(kUps.verifyKeyCode, undefined)
  assert.equal(kGw.verifyGatewayPassword, undefined)
  assert.equal(kTerm.verifyRegistrationKey, undefined)
  assert.equal(auth.check, undefined)
})

test('batch functions equal the single calls and report the failing index', () => {
  const serials = Array.from({ length: 500 }, (_, i) => `SN${i}`)
  const codes = master.keyCodes(serials)
  assert.ok(codes instanceof Uint16Array)
  assert.equal(codes.length, serials.length)
  serials.forEach((s, i) => assert.equal(codes[i], master.keyCode(s).value))
  assert.equal(master.keyCodes([]).length, 0)
  assert.deepEqual(master.keyCodesFromLines(serials.join('\n') + '\n'), codes)
  assert.deepEqual(master.keyCodesFromLines(serials.slice(0, 3).join('\r\n')), codes.slice(0, 3))
  assert.equal(master.keyCodesFromLines('').length, 0)
  throwsCoded(() => master.keyCodesFromLines('A\n\nB'), 'identifier.empty', { index: '1' })
  throwsCoded(() => master.keyCodes(['A', 'B', 'bad_']), 'identifier.invalid_character', { index: '2' })

  const gateways = ['01AB12345678', '01AB12345679', '99ZZ00000000']
  assert.deepEqual(master.gatewayPasswords(gateways), gateways.map((g) => master.gatewayPassword(g)))
  throwsCoded(() => master.gatewayPasswords(['01AB12345678', 'short']), 'identifier.too_short', { index: '1' })

  const keys = master.deviceKeys('ups', serials.slice(0, 10))
  assert.ok(Buffer.isBuffer(keys))
  assert.equal(keys.length, 320)
  serials.slice(0, 10).forEach((s, i) =>
    assert.ok(keys.subarray(i * 32, i * 32 + 32).equals(master.deviceKey('ups', s).toBytes())),
  )
  throwsCoded(() => master.deviceKeys('terminal', ['0123456789ABCDEF', 'x']), 'identifier.invalid_character', {
    index: '1',
  })

  const auth = master.activationAuthority()
  const minted = auth.mintMany(0x0101, [1, 2, 3])
  assert.deepEqual(
    minted.map((k) => k.toJSON()),
    [1, 2, 3].map((s) => auth.mint(0x0101, s).toJSON()),
  )
  assert.ok(minted[0] instanceof rc.ActivationKey)
  throwsCoded(() => auth.mintMany(1, [1, 2 ** 48]), 'activation.serial_out_of_range', { index: '1' })
  throwsCoded(() => auth.mintMany(1, [1, 2, 1.5]), 'binding.invalid_integer', { index: '2', name: 'serial' })
  throwsCoded(() => auth.mintMany(2 ** 32 + 1, [1]), 'binding.integer_out_of_range', { name: 'product' })
})

test('activation authority: numbers at the boundary', () => {
  const auth = new rc.ActivationAuthority(master)
  const max = 2 ** 48 - 1
  const key = auth.mint(0xffff, max)
  const typed = new rc.ActivationKey(rc.ActivationNumber.parse(key.number), rc.RegistrationId.parse(key.registrationId))
  assert.deepEqual(typed.verify(auth), { product: 0xffff, serial: max })
  assert.ok(typed.equals(key))
  assert.deepEqual(JSON.parse(JSON.stringify(key)), { number: key.number, registrationId: key.registrationId })
  throwsCoded(() => auth.mint(1, 2 ** 48), 'activation.serial_out_of_range')
  throwsCoded(() => auth.mint(1, -1), 'binding.integer_out_of_range', { name: 'serial' })
  throwsCoded(() => auth.mint(1, 1.5), 'binding.invalid_integer')
  throwsCoded(() => auth.mint(1, Number.NaN), 'binding.invalid_integer')
  throwsCoded(() => new rc.ActivationKey(key.number, '00000000').verify(auth), 'activation.authentication_failed')
  throwsCoded(() => new rc.ActivationKey('abc', '00000000'), 'identifier.too_short')
  // A demo authority's keys do not check under the real one.
  const demoKey = master.demo().activationAuthority().mint(1, 1)
  throwsCoded(() => demoKey.verify(auth), 'activation.authentication_failed')
})

test('product catalogue', () => {
  const cat = new rc.ProductCatalogue()
  cat.insert(0x0101, { model: 'KX-VCS101', keyType: 'Upgrade', demo: false })
  assert.deepEqual(cat.get(0x0101), { model: 'KX-VCS101', keyType: 'Upgrade', demo: false })
  throwsCoded(() => cat.get(2), 'activation.unknown_product', { product: '0002' })
  throwsCoded(() => cat.insert(70000, { model: 'x', keyType: 'y', demo: false }), 'binding.integer_out_of_range')
})

test('a random master works end to end', () => {
  const m = new rc.MasterSecret(9, crypto.randomBytes(48))
  const k = m.keyCode('ABC')
  k.verify(m.deviceKey('ups', 'ABC'))
})
