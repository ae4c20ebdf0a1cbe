'use strict'
// The frozen unlock-key vectors (core/tests/vectors/keys.json) reproduced
// through the Node binding: same inputs, same outputs, same error codes.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const rc = require('..')

const vectors = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', 'core', 'tests', 'vectors', 'keys.json'), 'utf8'),
)

function master(c, demoField = 'demo') {
  const m = vectors.masters[c.master]
  const secret = new rc.MasterSecret(m.key_id, Buffer.from(m.hex, 'hex'))
  return c[demoField] ? secret.demo() : secret
}

function cases(name) {
  const list = vectors[name]
  assert.ok(Array.isArray(list) && list.length >= 20, `${name} has cases`)
  return list
}

function codeOf(fn) {
  try {
    fn()
    return null
  } catch (err) {
    assert.equal(err.name, 'RegcoreError', String(err))
    return err.code
  }
}

test('device keys', () => {
  for (const c of cases('device_keys')) {
    const key = master(c).deviceKey(c.kind, c.input)
    assert.equal(key.toHex(), c.k_dev, JSON.stringify(c))
    assert.ok(rc.DeviceKey.fromHex(c.k_dev).equals(key))
  }
})

test('key codes, single and batch', () => {
  const list = cases('key_codes')
  for (const c of list) {
    const code = master(c).keyCode(c.serial_input)
    assert.equal(code.value, c.value)
    assert.equal(code.decimal, c.decimal)
    assert.equal(code.binary, c.binary)
    // The device verifies with its own key.
    rc.KeyCode.parse(c.binary).verify(master(c).deviceKey('ups', c.serial_input))
  }
  for (const name of Object.keys(vectors.masters)) {
    for (const demo of [false, true]) {
      const subset = list.filter((c) => c.master === name && c.demo === demo)
      if (subset.length === 0) continue
      const batch = master(subset[0]).keyCodes(subset.map((c) => c.serial_input))
      assert.deepEqual(Array.from(batch), subset.map((c) => c.value))
    }
  }
})

test('key code parsing', () => {
  for (const c of cases('key_code_parse')) {
    if (c.error) {
      assert.equal(codeOf(() => rc.KeyCode.parse(c.input)), c.error, c.input)
    } else {
      assert.equal(rc.KeyCode.parse(c.input).value, c.value, c.input)
    }
  }
})

test('gateway passwords and checks', () => {
  for (const c of cases('gateway_passwords')) {
    assert.equal(master(c).gatewayPassword(c.gateway_input), c.password)
    assert.equal(master(c).deviceKey('gateway', c.gateway_input).gatewayPassword(), c.password)
  }
  for (const c of cases('gateway_password_checks')) {
    const m = master(c)
    const siteCode = codeOf(() => m.verifyGatewayPassword(c.gateway_id, c.typed))
    const deviceCode = codeOf(() => rc.GatewayPassword.parse(c.typed).verify(m.deviceKey('gateway', c.gateway_id)))
    assert.equal(siteCode, c.error, JSON.stringify(c))
    assert.equal(deviceCode, c.error, JSON.stringify(c))
    assert.equal(c.ok, c.error === null)
  }
})

test('activation keys: mint and check', () => {
  for (const c of cases('activation_mint')) {
    const key = master(c).activationAuthority().mint(c.product, c.serial)
    assert.deepEqual(key.toJSON(), { number: c.number, registrationId: c.registration_id })
    const info = new rc.ActivationKey(c.number, c.registration_id).verify(new rc.ActivationAuthority(master(c)))
    assert.deepEqual(info, { product: c.product, serial: c.serial })
  }
  for (const c of cases('activation_check')) {
    const authority = master(c).activationAuthority()
    const typed = new rc.ActivationKey(c.number_input, c.registration_id_input)
    if (c.ok) {
      assert.equal(typed.verify(authority).product, c.product)
    } else {
      assert.equal(codeOf(() => typed.verify(authority)), 'activation.authentication_failed')
    }
  }
})

test('registration keys: issue and device-side verify', () => {
  for (const c of cases('registration_keys')) {
    const key = master(c).registrationKey(c.mpr_input, c.activation_number, c.product)
    assert.equal(key.toString(), c.registration_key)
    const kDev = master(c).deviceKey('terminal', c.mpr_id)
    assert.equal(kDev.registrationKey(c.activation_number, c.product).toString(), c.registration_key)
  }
  for (const c of cases('registration_key_verify')) {
    const kDev = master(c, 'demo_device').deviceKey('terminal', c.mpr_id)
    if (c.ok) {
      assert.equal(rc.RegistrationKey.parse(c.typed).verify(kDev), c.product)
    } else {
      assert.equal(codeOf(() => rc.RegistrationKey.parse(c.typed).verify(kDev)), c.error)
    }
  }
})
