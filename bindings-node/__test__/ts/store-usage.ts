// The store layer as a TypeScript backend uses it, type-checked by
// `tsc --noEmit` (not executed) against store/index.d.ts.
import * as regcore from '../..'
import { Admitted, PostgresStore, RedisStore, RetryPolicy, SQLiteStore, migrations } from '../../store'
import type { LoginResult, SqlStore, Store } from '../../store'
import Database from 'better-sqlite3'
import { Pool } from 'pg'
import { createClient, createCluster } from 'redis'

const POLICY = regcore.LockoutPolicy.upsSite()

export async function login(store: Store, email: string, password: string, phc: string): Promise<number> {
  const r: LoginResult = await store.login(email, POLICY, () => regcore.verifyPassword(password, phc))
  if (r.locked) return r.locked.retryAfterSecs ?? 1
  return r.ok ? 200 : 401
}

export async function stepByStep(store: Store, email: string, ok: boolean): Promise<regcore.LockoutState> {
  const a = await store.lockoutAdmit(email, POLICY, new Date())
  if (!(a instanceof Admitted)) {
    const refusal: regcore.LockoutDecision = a
    throw new Error(refusal.error?.code)
  }
  return store.lockoutSettle(a, ok)
}

export async function everyStore(secret: regcore.CodeSecret, master: regcore.MasterSecret): Promise<void> {
  const sqlite = new SQLiteStore('/var/lib/app/regcore.db', { prefix: 'app', busyTimeoutMs: 5000 })
  const own = new SQLiteStore(new Database(':memory:'), { retry: new RetryPolicy({ attempts: 50 }) })
  const pg = new PostgresStore(new Pool({ max: 10 }), { retry: { attempts: 100, deadlineMs: 2000 } })
  const client = createClient({ url: 'redis://127.0.0.1:6379' })
  await client.connect()
  const redis = new RedisStore(client)
  const cluster = createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:7001' }] })
  await cluster.connect()
  const clustered = new RedisStore(cluster, { prefix: 'portal' })

  const version: number = await sqlite.migrate()
  const sql: SqlStore[] = [sqlite, own, pg]
  for (const s of sql) await s.migrate()
  const issued: regcore.IssuedCode = await redis.codeIssue(regcore.CodePolicy.signUp(), secret, 'user-42')
  const checked: regcore.CodeVerification | null = await clustered.codeVerify(regcore.CodePolicy.signUp(), secret, 'user-42', issued.code)
  const session: regcore.SessionStatus | null = await redis.sessionTouch('sid', regcore.SessionPolicy.upsSite())
  const revoked: boolean = await redis.sessionRevoke('sid')
  const key = master.activationAuthority().mint(1, 1)
  const plan: regcore.IssuancePlan = await pg.ledgerIssue(master, new regcore.IssuanceRequest('0123-4567-89AB-CDEF', [key]))
  const record: regcore.RebindRecord = await pg.ledgerRebind(master, key.number, '0123-4567-89AB-0000', 'admin', 'moved')
  const rows: regcore.HistoryRow[] = await pg.ledgerHistory({ days: { from: '2026-04-01', to: '2026-04-30' }, utcOffsetMinutes: 540 })
  const daily: regcore.DailyCount[] = await sqlite.ledgerDailyCounts({ utcOffsetMinutes: 540 })
  const found: regcore.Binding | null = await sqlite.ledgerByActivationNumber(key.number)
  const purged: number = await pg.purgeExpired()
  const stats: number = pg.stats.retryRate + pg.stats.conflicts
  const schema: regcore.SchemaMigration[] = migrations()
  void [version, checked, session, revoked, plan, record, rows, daily, found, purged, stats, schema]
  // Every store has the whole API; Redis refuses the ledger with store.unsupported.
  const csv: string = await sqlite.ledgerHistoryCsv({ utcOffsetMinutes: 540 })
  const reset: boolean = await redis.lockoutReset('user@example.jp')
  const refused: Promise<regcore.RebindRecord> = redis.ledgerRebind(master, key.number, 'x', 'a', 'b')
  void [csv, reset, refused]
}

export function storeErrors(): regcore.RegcoreError[] {
  regcore.checkStorePrefix('app')
  return [
    regcore.storeContended('lockout.admit', 3),
    regcore.storeUnavailable('redis', 'code.issue'),
    regcore.storeInvalidClient('redis', 'a node-redis client'),
    regcore.storeInvalidOption('attempts', 'an integer from 1 to 100000'),
    regcore.storeInvalidAdmission(),
  ]
}
