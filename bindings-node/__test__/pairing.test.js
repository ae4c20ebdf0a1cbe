'use strict'
// Boundary tests of the issuance planner, the Ledger and maintenance links:
// objects and Dates in and out, refusals as data, coded errors.
const test = require('node:test')
const assert = require('node:assert/strict')
const rc = require('..')
const { throwsCoded } = require('./helpers')

const master = new rc.MasterSecret(1, Buffer.alloc(32, 1))
const auth = master.activationAuthority()
const demoAuth = master.demo().activationAuthority()
const MPR = '0123-4567-89AB-CDEF'
const OTHER = '0000-0000-0000-0001'
const t0 = new Date('2026-04-01T00:00:00Z')
const t1 = new Date('2026-04-02T09:30:00Z')

function typed(k) {
  return { number: k.number, registrationId: k.registrationId }
}

function req(mprId, keys, mode, viewer) {
  return new rc.IssuanceRequest(mprId, keys, mode, viewer)
}

test('planIssuance: issue, reissue, refusals as data; Dates in and out', () => {
  const a = auth.mint(0x0101, 1)
  const b = auth.mint(0x0102, 2)
  const plan = rc.planIssuance(master, req(MPR, [typed(a), typed(b)]), [], t0)
  assert.equal(plan.outcomes.length, 2)
  assert.equal(plan.outcomes[0].outcome, 'issued')
  assert.equal(plan.outcomes[0].product, 0x0101)
  assert.equal(plan.outcomes[0].registrationKey, master.registrationKey(MPR, a.number, 0x0101).toString())
  assert.equal(plan.newBindings.length, 2)
  const bound = plan.newBindings[0]
  assert.ok(bound.firstIssuedAt instanceof Date)
  assert.equal(bound.firstIssuedAt.getTime(), t0.getTime())
  assert.equal(bound.mprId, MPR)

  // Re-plan with the persisted bindings: same keys again, first date kept.
  const again = rc.planIssuance(master, req(MPR, [typed(a)]), plan.newBindings, t1)
  assert.equal(again.outcomes[0].outcome, 'reissued')
  assert.equal(again.outcomes[0].registrationKey, plan.outcomes[0].registrationKey)
  assert.equal(again.outcomes[0].firstIssuedAt.getTime(), t0.getTime())
  assert.deepEqual(again.newBindings, [])

  // Another terminal: refused; only admins learn where it is bound.
  const customer = rc.planIssuance(master, req(OTHER, [typed(a)]), plan.newBindings, t1)
  assert.equal(customer.outcomes[0].outcome, 'refused')
  assert.equal(customer.outcomes[0].refusal.code, 'issuance.bound_elsewhere')
  assert.deepEqual(customer.outcomes[0].refusal.params, {})
  assert.ok(customer.outcomes[0].refusal.messageJa.length > 0)
  assert.equal(customer.outcomes[0].registrationKey, undefined)
  const admin = rc.planIssuance(master, req(OTHER, [a], undefined, 'admin'), plan.newBindings, t1)
  assert.equal(admin.outcomes[0].refusal.params.bound_to, MPR)

  // Wrong registration ID, demo/real mismatch (refusals as data, with kinds).
  const mixed = rc.planIssuance(
    master,
    req(MPR, [{ number: b.number, registrationId: '00000000' }, a, demoAuth.mint(1, 5)]),
    [],
    t0,
  )
  assert.deepEqual(
    mixed.outcomes.map((o) => o.refusal?.code ?? o.outcome),
    ['issuance.wrong_registration_id', 'issued', 'issuance.demo_real_mismatch'],
  )
  assert.deepEqual(
    mixed.outcomes.map((o) => o.refusal?.kind ?? null),
    ['rejected', null, 'refused'],
  )

  // Demo requests are planned but never bound.
  const demo = rc.planIssuance(master, req(MPR, [typed(demoAuth.mint(1, 5))], 'demo'), [], t0)
  assert.equal(demo.outcomes[0].outcome, 'issued')
  assert.deepEqual(demo.newBindings, [])
})

test('IssuanceRequest is validated when it is built', () => {
  const r = req(rc.MprId.parse(MPR), [auth.mint(1, 1), typed(auth.mint(2, 2))], 'demo', 'admin')
  assert.equal(r.mprId, MPR)
  assert.equal(r.mode, 'demo')
  assert.equal(r.viewer, 'admin')
  assert.equal(r.keys.length, 2)
  assert.ok(r.keys[0] instanceof rc.ActivationKey)
  assert.equal(req(MPR, [auth.mint(1, 1)]).mode, 'real')
  assert.equal(req(MPR, [auth.mint(1, 1)]).viewer, 'customer')

  throwsCoded(() => req(MPR, []), 'issuance.no_keys', {}, 'invalid_input')
  const nine = Array.from({ length: 9 }, (_, i) => auth.mint(1, i + 1))
  throwsCoded(() => req(MPR, nine), 'issuance.too_many_keys', { max: '8', actual: '9' }, 'invalid_input')
  const a = auth.mint(1, 1)
  throwsCoded(() => req(MPR, [a, auth.mint(2, 2), typed(a)]), 'issuance.duplicate_key', {
    activation_number: a.number,
  }, 'invalid_input')
  throwsCoded(() => req('xx', nine.slice(0, 2)), 'identifier.invalid_character', { field: 'mprId' })
  throwsCoded(() => req(MPR, [nine[0], { number: '12', registrationId: '0' }]), 'identifier.too_short', {
    index: '1',
  })
  throwsCoded(() => req(MPR, [nine[0]], 'fake'), 'binding.unknown_name', {
    name: 'mode',
    value: 'fake',
    expected: 'real,demo',
  })
  throwsCoded(() => req(MPR, [nine[0]], 'real', 'boss'), 'binding.unknown_name', { name: 'viewer' })
  // A plain object is not a request: it must be built (and so validated).
  assert.throws(() => rc.planIssuance(master, { mprId: MPR, keys: [] }, [], t0))
})

test('planIssuance: errors', () => {
  const one = req(MPR, [auth.mint(1, 1)])
  throwsCoded(() => rc.planIssuance(master, one, [], new Date('nope')), 'binding.invalid_date')
  assert.throws(() => rc.planIssuance(master, one, [], '2026-01-01'))
  const bound = rc.planIssuance(master, one, [], t0).newBindings[0]
  throwsCoded(() => rc.planIssuance(master, one, [{ ...bound, product: 65536 }], t0), 'binding.integer_out_of_range', {
    name: 'product',
    index: '0',
  })
  throwsCoded(() => rc.planIssuance(master, one, [bound, { ...bound, mprId: '12' }], t0), 'identifier.too_short', {
    index: '1',
  })
  // Omitted now: the system clock.
  const before = Date.now()
  const plan = rc.planIssuance(master, one, [])
  const at = plan.newBindings[0].firstIssuedAt.getTime()
  assert.ok(at >= before - 1 && at <= Date.now() + 1)
})

test('Ledger: issue, search, rebind, reports, JSON round trip', () => {
  const ledger = new rc.Ledger()
  const a = auth.mint(0x0101, 10)
  const b = auth.mint(0x0102, 11)
  ledger.issue(master, req(MPR, [typed(a), typed(b)]), t0)
  const re = ledger.issue(master, req(MPR, [typed(a)]), t1)
  assert.equal(re.outcomes[0].outcome, 'reissued')
  assert.equal(ledger.bindings().length, 2)
  assert.equal(ledger.byMprId(rc.MprId.parse(MPR)).length, 2)
  assert.equal(ledger.byMprId(OTHER).length, 0)
  assert.equal(ledger.byActivationNumber(a.number).mprId, MPR)
  assert.equal(ledger.byActivationNumber(auth.mint(1, 99).number), null)

  throwsCoded(() => ledger.rebind(master, a.number, OTHER, ' ', 'why', t1), 'ledger.rebind_unaudited')
  throwsCoded(() => ledger.rebind(master, a.number, MPR, 'ops', 'why', t1), 'ledger.rebind_same_terminal')
  throwsCoded(() => ledger.rebind(master, auth.mint(1, 99).number, OTHER, 'ops', 'why', t1), 'ledger.not_bound')
  const record = ledger.rebind(master, a.number, OTHER, 'ops', 'replaced terminal', t1)
  assert.equal(record.from, MPR)
  assert.equal(record.to, OTHER)
  assert.equal(record.at.getTime(), t1.getTime())
  assert.equal(ledger.rebinds().length, 1)
  assert.equal(ledger.byActivationNumber(a.number).mprId, OTHER)

  const history = ledger.history()
  assert.deepEqual(history.map((r) => r.event), ['issued', 'issued', 'reissued', 'rebound'])
  assert.ok(history[0].at instanceof Date)
  assert.equal(ledger.history({ days: { from: '2026-04-02', to: '2026-04-02' } }).length, 2)
  // 2026-04-01T00:00Z is still 2026-03-31 at UTC-1.
  assert.deepEqual(
    ledger.dailyCounts({ utcOffsetMinutes: -60 }).map((r) => r.date),
    ['2026-03-31', '2026-04-02'],
  )
  assert.deepEqual(ledger.dailyCounts(), [
    { date: '2026-04-01', issued: 2, reissued: 0 },
    { date: '2026-04-02', issued: 1, reissued: 1 },
  ])
  assert.match(ledger.dailyCountsCsv(), /^date,issued,reissued\n2026-04-01,2,0\n/)
  assert.match(ledger.historyCsv({ utcOffsetMinutes: 540 }), /^at,event,mpr_id,activation_number,product,registration_key\n2026-04-01T09:00:00\+09:00,issued,/)
  throwsCoded(() => ledger.history({ days: { from: '2026/04/01', to: '2026-04-02' } }), 'binding.invalid_day', {
    name: 'from',
  })
  throwsCoded(() => ledger.history({ utcOffsetMinutes: 24 * 60 }), 'binding.integer_out_of_range', {
    name: 'utcOffsetMinutes',
    min: '-1439',
    max: '1439',
  })
  throwsCoded(() => ledger.history({ utcOffsetMinutes: 1.5 }), 'binding.invalid_integer')

  const restored = rc.Ledger.fromJSON(ledger.toJSON())
  assert.deepEqual(restored.bindings(), ledger.bindings())
  assert.deepEqual(restored.history(), ledger.history())
  throwsCoded(() => rc.Ledger.fromJSON('{"nope":1}'), 'binding.malformed_json', { what: 'ledger' }, 'invalid_input')
})

test('maintenance links and dealer e-mails', () => {
  const dealer = new rc.DealerAccount('Shop_A', '03-1234-5678')
  assert.equal(dealer.dealerId, 'Shop_A')
  assert.equal(dealer.phone, '0312345678')
  const gw = new rc.GatewayMaintenance('01ab-1234-5678')
  assert.equal(gw.gatewayId, '01AB12345678')
  throwsCoded(() => gw.link('Shop_A', '03-1234-0000', dealer), 'maintenance.dealer_not_found')
  throwsCoded(() => gw.link('Shop_A', '03-1234-5678', null), 'maintenance.dealer_not_found')
  assert.equal(gw.link('Shop_A', '０３－１２３４－５６７８', dealer), 'added')
  assert.equal(gw.link('Shop_A', '0312345678', dealer), 'already_present')
  assert.deepEqual(gw.dealers, ['Shop_A'])
  for (let i = 0; i < 4; i++) {
    const d = new rc.DealerAccount(`Shop_${i}`, '0312345678')
    gw.link(`Shop_${i}`, '0312345678', d)
  }
  const sixth = new rc.DealerAccount('Shop_X', '0312345678')
  throwsCoded(() => gw.link('Shop_X', '0312345678', sixth), 'maintenance.too_many_dealers', { max: '5' })
  gw.unlink('Shop_A')
  throwsCoded(() => gw.unlink('Shop_A'), 'maintenance.not_linked')
  assert.deepEqual(rc.GatewayMaintenance.fromJSON(gw.toJSON()).dealers, gw.dealers)
  throwsCoded(() => new rc.GatewayMaintenance('short'), 'identifier.too_short')

  assert.equal(dealer.addEmail('a@Example.jp'), 'added')
  assert.equal(dealer.addEmail('a@example.JP'), 'already_present')
  for (const e of ['b@x.jp', 'c@x.jp', 'd@x.jp', 'e@x.jp']) dealer.addEmail(e)
  throwsCoded(() => dealer.addEmail('f@x.jp'), 'maintenance.too_many_emails', { max: '5' })
  throwsCoded(() => dealer.addEmail('not-an-address'), 'identifier.invalid_email')
  dealer.removeEmail('a@EXAMPLE.jp')
  throwsCoded(() => dealer.removeEmail('zz@x.jp'), 'maintenance.email_not_found')
  assert.deepEqual(dealer.emails, ['b@x.jp', 'c@x.jp', 'd@x.jp', 'e@x.jp'])
  assert.deepEqual(rc.DealerAccount.fromJSON(dealer.toJSON()).emails, dealer.emails)
  throwsCoded(() => new rc.DealerAccount('ab', '0312345678'), 'identifier.too_short')
})
