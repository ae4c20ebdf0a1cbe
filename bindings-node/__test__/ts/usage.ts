// TypeScript usage example, compiled with `tsc --noEmit` against index.d.ts.
// It is the reference for how a web backend calls regcore; it is type-checked
// (not executed) so the declarations stay honest.
import * as regcore from '../..'
import type {
  CodeState,
  ErrorKind,
  IssuancePlan,
  LockoutDecision,
  LockoutState,
  PasswordReport,
  RegcoreError,
} from '../..'

export function isRegcoreError(e: unknown): e is RegcoreError {
  return e instanceof Error && typeof (e as RegcoreError).code === 'string'
}

// Branch on the kind, the same way in every language.
export function httpStatus(e: RegcoreError): number {
  const kind: ErrorKind = e.kind
  switch (kind) {
    case 'invalid_input':
      return 400
    case 'rejected':
      return 401
    case 'locked':
      return 429
    case 'store_contended':
    case 'store_unavailable':
      return 503
    default:
      return 500
  }
}

export function parseMpr(input: string): string {
  try {
    const id: regcore.MprId = regcore.MprId.parse(input)
    const compact: string = id.compact
    return `${id.toString()} (${compact})`
  } catch (e) {
    if (isRegcoreError(e)) {
      const min: string | undefined = e.params['min']
      return `${e.code}: ${e.messageJa} ${min ?? ''}`
    }
    throw e
  }
}

export const email: regcore.EmailAddress = regcore.EmailAddress.parse('taro@example.jp')
export const key: string = email.comparisonKey
export const same: boolean = regcore.GatewayId.parse('01AB12345678').equals(regcore.GatewayId.parse('01ab-1234-5678'))

// Sign-up: policy check (all violations) then an Argon2id hash off the main thread.
export async function signUp(userId: string, password: string): Promise<string | string[]> {
  const policy: regcore.PasswordPolicy = regcore.PasswordPolicy.preset('ups_site')
  const report: PasswordReport = await policy.checkAsync(password, { userId, previousHashes: [] })
  if (!report.acceptable) return report.violations.map((v) => `${v.code} ${v.kind} ${v.messageJa}`)
  const params: regcore.HashParams = regcore.owaspHashParams()
  const phc: string = await regcore.hashPassword(password, { params, pepper: Buffer.alloc(16) })
  return phc
}

// Login with lockout; the state lives in the caller's database.
export async function logIn(stored: string, phc: string, password: string): Promise<[boolean, string]> {
  const policy = regcore.LockoutPolicy.upsSite()
  const state: LockoutState = regcore.decodeLockoutState(stored)
  const attempt = policy.attempt(state, new Date())
  if (!(attempt instanceof regcore.LockoutAdmission)) {
    const decision: LockoutDecision = attempt
    const wait: number | undefined = decision.retryAfterSecs
    return [false, decision.newState ? regcore.encodeLockoutState(decision.newState) : `${wait}`]
  }
  const ok: boolean = await regcore.verifyPassword(password, phc)
  const next: LockoutState = ok ? attempt.succeeded() : attempt.failure()
  const until: Date | null = next.lockedUntil
  return [ok, regcore.encodeLockoutState(next) + String(until)]
}

// Login with a state shared by several servers: a compare-and-set column.
export interface Cell {
  read(): Promise<string>
  compareAndSet(expected: string, next: string): Promise<boolean>
}

export async function logInShared(cell: Cell, phc: string, password: string): Promise<boolean | LockoutDecision> {
  const policy = regcore.LockoutPolicy.upsSite()
  for (;;) {
    const stored = await cell.read()
    const admitted = policy.attempt(regcore.decodeLockoutState(stored), new Date())
    if (!(admitted instanceof regcore.LockoutAdmission)) {
      const refusal: LockoutDecision = admitted
      if (refusal.newState) await cell.compareAndSet(stored, regcore.encodeLockoutState(refusal.newState))
      return refusal // refusal.error: lockout.locked, kind 'locked'
    }
    // Store the attempt, counted as a failure, before checking the password.
    if (!(await cell.compareAndSet(stored, regcore.encodeLockoutState(admitted.state)))) continue
    if (!(await regcore.verifyPassword(password, phc, { limit: regcore.defaultVerifyLimit() }))) {
      admitted.failure() // already stored
      return false
    }
    const success: regcore.LockoutSuccess = admitted.success()
    for (;;) {
      const current = await cell.read()
      const next = success.apply(regcore.decodeLockoutState(current))
      if (await cell.compareAndSet(current, regcore.encodeLockoutState(next))) return true
    }
  }
}

// One-time code issue and check.
export function codes(secretBytes: Uint8Array, typed: string, previous: CodeState | null): CodeState {
  const secret = new regcore.CodeSecret(secretBytes)
  const policy = regcore.CodePolicy.passwordReset().withLifetimeSecs(600)
  const issued = policy.issue(secret, 'user-42', previous)
  const code: string = issued.code
  const check = policy.verify(secret, 'user-42', typed || code, issued.state, new Date())
  const reason: string | undefined = check.rejection?.code
  void reason
  return check.state
}

// Signed link with a binding to the current password hash.
export function link(secret: regcore.CodeSecret, hash: string): Date {
  const keyring = new regcore.Keyring(1, secret)
  const token: string = regcore.LinkPolicy.passwordReset().issue(keyring, 'user-42', { generation: 1, binding: hash })
  return regcore.LinkPolicy.passwordReset().verify(keyring, token, { generation: 1, binding: hash }).expiresAt
}

// Unlock keys and a factory batch.
export function keys(masterBytes: Buffer, serials: string[]): Uint16Array {
  const master = new regcore.MasterSecret(1, masterBytes)
  const kind: regcore.DeviceKind = 'ups'
  const kDev: regcore.DeviceKey = master.deviceKey(kind, serials[0])
  // One verification shape: typed.verify(key).
  regcore.KeyCode.parse(master.keyCode(serials[0]).binary).verify(kDev)
  regcore.GatewayPassword.parse('abcd-efgh-jkmn').verify(master.deviceKey('gateway', '01AB12345678'))
  const product: number = regcore.RegistrationKey.parse(
    master.registrationKey('0123-4567-89AB-CDEF', '1111-1111-1111-1111', 0x0101).toString(),
  ).verify(master.deviceKey('terminal', '0123-4567-89AB-CDEF'))
  const authority = master.activationAuthority()
  const info: regcore.ActivationInfo = new regcore.ActivationKey('1111-1111-1111-1111', '12345678').verify(authority)
  void product
  void info
  const factory: Buffer = master.deviceKeys('ups', serials)
  void factory
  return master.keyCodes(serials)
}

// Pairing plan against bindings loaded from the caller's table.
export function pair(master: regcore.MasterSecret, existing: regcore.Binding[]): IssuancePlan {
  const a: regcore.ActivationKey = master.activationAuthority().mint(0x0101, 1)
  const request = new regcore.IssuanceRequest(
    '0123-4567-89AB-CDEF',
    [a, { number: '2222-2222-2222-2222', registrationId: '12345678' }],
    'real',
    'customer',
  )
  const plan = regcore.planIssuance(master, request, existing)
  for (const o of plan.outcomes) {
    const kind: regcore.OutcomeKind = o.outcome
    const first: Date | undefined = o.firstIssuedAt
    void kind
    void first
  }
  return plan
}

// Ledger reports over a range of days, and the store schema from core.
export function reports(ledger: regcore.Ledger): string {
  const rows: regcore.HistoryRow[] = ledger.history({ days: { from: '2026-04-01', to: '2026-04-30' }, utcOffsetMinutes: 540 })
  const migrations: regcore.SchemaMigration[] = regcore.schemaMigrations()
  const version: number = regcore.SCHEMA_VERSION
  return `${rows.length} ${migrations.length} ${version}`
}
