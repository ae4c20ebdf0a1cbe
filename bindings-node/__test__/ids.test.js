'use strict'
// Boundary tests for identifiers: construction, display, JSON, errors.
const test = require('node:test')
const assert = require('node:assert/strict')
const rc = require('..')
const { throwsCoded } = require('./helpers')


test('MprId parses tolerant input and displays grouped', () => {
  const id = rc.MprId.parse('０１２３－４５６７-89ab cdef')
  assert.ok(id instanceof rc.MprId)
  assert.equal(id.toString(), '0123-4567-89AB-CDEF')
  assert.equal(`${id}`, '0123-4567-89AB-CDEF')
  assert.equal(id.compact, '0123456789ABCDEF')
  assert.equal(JSON.stringify({ id }), '{"id":"0123-4567-89AB-CDEF"}')
  assert.ok(id.equals(rc.MprId.parse('0123456789ABCDEF')))
  assert.ok(!id.equals(rc.MprId.parse('0123456789ABCDE0')))
})

test('identifier errors carry code, params and both messages', () => {
  throwsCoded(() => rc.MprId.parse('0123-4567-89AB-CDEG'), 'identifier.invalid_character', {
    kind: 'mpr_id',
    character: 'G',
    position: '19',
  })
  throwsCoded(() => rc.MprId.parse('0123'), 'identifier.too_short', { min: '16', actual: '4' })
  throwsCoded(() => rc.MprId.parse(' - '), 'identifier.empty', { kind: 'mpr_id' })
  try {
    rc.MprId.parse('0123-4567-89AB-CDEG')
  } catch (err) {
    assert.match(err.messageJa, /19文字目/)
    assert.match(err.stack, /RegcoreError/)
  }
})

test('ActivationNumber and RegistrationId', () => {
  const n = rc.ActivationNumber.parse('fedc-ba98-7654-3210')
  assert.equal(n.toString(), 'FEDC-BA98-7654-3210')
  assert.equal(n.compact, 'FEDCBA9876543210')
  assert.equal(rc.RegistrationId.parse('ab12-cd34').toString(), 'AB12CD34')
  throwsCoded(() => rc.RegistrationId.parse('AB12CD345'), 'identifier.too_long', {
    kind: 'registration_id',
    max: '8',
  })
  throwsCoded(() => rc.ActivationNumber.parse('xyz'), 'identifier.invalid_character')
})

test('string identifiers', () => {
  assert.equal(rc.UpsSerial.parse('ｓ１２３-abc').toString(), 'S123ABC')
  assert.equal(rc.GatewayId.parse('01ab-1234-5678').toString(), '01AB12345678')
  assert.equal(rc.PhoneNumber.parse('０９０－１２３４－５６７８').toString(), '09012345678')
  assert.equal(rc.DealerId.parse(' Shop_A-1 ').toString(), 'Shop_A-1')
  assert.equal(rc.KmsLoginId.parse('abcd1234').toString(), 'abcd1234')
  throwsCoded(() => rc.UpsSerial.parse('A'.repeat(33)), 'identifier.too_long', { max: '32' })
  throwsCoded(() => rc.GatewayId.parse('01AB1234567'), 'identifier.too_short')
  throwsCoded(() => rc.PhoneNumber.parse('123-456-789'), 'identifier.too_short', { min: '10' })
  throwsCoded(() => rc.DealerId.parse(' ab.c'), 'identifier.invalid_character', {
    character: '.',
    position: '4',
  })
  throwsCoded(() => rc.KmsLoginId.parse('abcd_1234'), 'identifier.invalid_character')
})

test('EmailAddress', () => {
  const e = rc.EmailAddress.parse(' Taro.Yamada@Example.CO.JP ')
  assert.equal(e.toString(), 'Taro.Yamada@Example.CO.JP')
  assert.equal(e.localPart, 'Taro.Yamada')
  assert.equal(e.domain, 'Example.CO.JP')
  assert.equal(e.comparisonKey, 'Taro.Yamada@example.co.jp')
  throwsCoded(() => rc.EmailAddress.parse('taro'), 'identifier.invalid_email', {
    kind: 'email',
    reason: 'missing_at',
  })
  throwsCoded(() => rc.EmailAddress.parse('山田@b.jp'), 'identifier.invalid_email', { reason: 'non_ascii' })
})

test('normalisation helpers', () => {
  assert.equal(rc.foldAndTrim('　ＡＢＣ＠ｘ '), 'ABC@x')
  assert.equal(rc.compactInput('ab-cd ｅｆ－01'), 'ABCDEF01')
})

test('wrong JavaScript types are rejected, not coerced', () => {
  assert.throws(() => rc.MprId.parse(123))
  assert.throws(() => rc.MprId.parse())
  assert.throws(() => new rc.MprId())
  assert.throws(() => rc.MprId.parse('0123456789ABCDEF').equals('0123456789ABCDEF'))
})
