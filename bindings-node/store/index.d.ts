/**
 * regcore's store layer (docs/storage.md): lockout, one-time-code, session
 * and pairing-ledger state persisted atomically over the caller's own
 * client, by the store protocol written once in Rust. Every method returns
 * a Promise; every error is a `RegcoreError` (`.code`, `.kind`):
 * `store.contended`, `store.unavailable` (the driver's error as `cause`),
 * `store.outcome_unknown` (a write whose reply was lost: it may have been
 * stored), `store.schema_mismatch`, `store.unsupported` (the ledger,
 * migrations and purge on Redis), `store.driver_missing`,
 * `store.invalid_prefix`, `store.invalid_key` (an empty key, one holding
 * NUL or longer than 512 bytes), `store.invalid_option` (retry and other
 * options), `store.invalid_client` (not a connection, pool or client of the
 * store's driver), `store.invalid_admission` (settling something that is
 * not an `Admitted`), `store.invalid_utc_offset` (a report offset that is
 * not whole minutes within ±23:59), `store.unexpected_reply` (the store
 * holds or returned data regcore did not write), or a domain code.
 */
import type {
  Binding,
  CodePolicy,
  CodeSecret,
  CodeState,
  CodeVerification,
  DailyCount,
  HistoryRow,
  IssuancePlan,
  IssuanceRequest,
  IssuedCode,
  LockoutDecision,
  LockoutPolicy,
  LockoutState,
  MasterSecret,
  MprId,
  ActivationNumber,
  RebindRecord,
  ReportOptions,
  SchemaMigration,
  SessionPolicy,
  SessionState,
  SessionStatus,
} from '../index'

/**
 * Bounded retries with full jitter (the protocol's rule; defaults from it:
 * `storeRetryDefaults()`). Checked when a store is built
 * (`store.invalid_option`).
 */
export declare class RetryPolicy {
  constructor(options?: { attempts?: number; deadlineMs?: number; baseDelayMs?: number; maxDelayMs?: number })
  readonly attempts: number
  readonly deadlineMs: number
  readonly baseDelayMs: number
  readonly maxDelayMs: number
}

/** Counters for benchmarks and monitoring (per store object). */
export declare class StoreStats {
  operations: number
  /** Lost races (compare-and-set conflicts) in all. */
  conflicts: number
  /** Operations that ended in `store.contended`. */
  contended: number
  /** Most tries one operation needed. */
  mostTries: number
  /** Lost races per operation. */
  readonly retryRate: number
}

export type RetryOptions = RetryPolicy | { attempts?: number; deadlineMs?: number; baseDelayMs?: number; maxDelayMs?: number }

/**
 * An attempt admitted by the store: its failure is already stored. Check the
 * password now, then settle once with `store.lockoutSettle(admitted, ok)`.
 */
export declare class Admitted {
  readonly key: string
  readonly policy: LockoutPolicy
  /** The state stored on admission (this attempt counted as a failure). */
  readonly state: LockoutState
  readonly settled: boolean
  /** The password was wrong: nothing more to write; the stored state. */
  failure(): LockoutState
}

/** Outcome of `login`: refused unchecked (`locked`), or the password's verdict. */
export interface LoginResult {
  ok: boolean
  /** Core's refusal (`allowed: false`, `retryAfterSecs`, `error`) when locked. */
  locked: LockoutDecision | null
  /** The state stored after the attempt (null when refused). */
  state: LockoutState | null
}

/**
 * Lockout, one-time-code, session and pairing-ledger state (every store;
 * Redis refuses the ledger, migrations and purge with `store.unsupported`).
 */
export declare abstract class Store {
  readonly retry: RetryPolicy
  readonly stats: StoreStats
  /** The table or key prefix. */
  readonly prefix: string
  /** Admit an attempt (its failure stored before the password check) or refuse it. */
  lockoutAdmit(key: string, policy: LockoutPolicy, now?: Date): Promise<Admitted | LockoutDecision>
  /** Settle once: wrong writes nothing more; right resets (compare-and-set). */
  lockoutSettle(admitted: Admitted, passwordOk: boolean, now?: Date): Promise<LockoutState>
  /** Admit, check the password only if admitted, settle. */
  login(key: string, policy: LockoutPolicy, checkPassword: () => boolean | Promise<boolean>, now?: Date): Promise<LoginResult>
  /** The stored state (the default state when nothing is stored). */
  lockoutState(key: string): Promise<LockoutState>
  /** Forget the stored state of `key` (an administrator's unlock); true if one was stored. */
  lockoutReset(key: string): Promise<boolean>
  /** Issue the next code for (policy.purpose, subject); earlier ones die. */
  codeIssue(policy: CodePolicy, secret: CodeSecret, subject: string, now?: Date): Promise<IssuedCode>
  /** Verify and store the outcome atomically; null when no code is stored. */
  codeVerify(policy: CodePolicy, secret: CodeSecret, subject: string, typed: string, now?: Date): Promise<CodeVerification | null>
  codeState(purpose: string, subject: string): Promise<CodeState | null>
  sessionStart(sessionId: string, policy: SessionPolicy, now?: Date): Promise<SessionState>
  /** null for an unknown or revoked session; an expired one is deleted. */
  sessionTouch(sessionId: string, policy: SessionPolicy, now?: Date): Promise<SessionStatus | null>
  /** End a session; wins over any touch in flight. True if it existed. */
  sessionRevoke(sessionId: string): Promise<boolean>
  /** Apply the migrations not yet applied; the version now in force. */
  migrate(): Promise<number>
  /** The applied schema version (0 before `migrate()`). */
  schemaVersion(): Promise<number>
  /** Delete lockout, code and session rows that no longer matter; how many. */
  purgeExpired(now?: Date): Promise<number>
  /** Plan with core and bind under the unique key (first writer wins). */
  ledgerIssue(master: MasterSecret, request: IssuanceRequest, now?: Date): Promise<IssuancePlan>
  /** Audited rebind: binding + history + audit in one transaction. */
  ledgerRebind(
    master: MasterSecret,
    number: string | ActivationNumber,
    to: string | MprId,
    actor: string,
    reason: string,
    now?: Date,
  ): Promise<RebindRecord>
  ledgerBindings(): Promise<Binding[]>
  ledgerByMprId(mprId: string | MprId): Promise<Binding[]>
  ledgerByActivationNumber(number: string | ActivationNumber): Promise<Binding | null>
  ledgerRebinds(): Promise<RebindRecord[]>
  /**
   * Detail history (optional inclusive days, in the caller's UTC offset:
   * whole minutes within ±23:59, else `store.invalid_utc_offset`).
   */
  ledgerHistory(options?: ReportOptions): Promise<HistoryRow[]>
  /** `ledgerHistory` as core's CSV. */
  ledgerHistoryCsv(options?: ReportOptions): Promise<string>
  /** Issues per calendar day in the caller's UTC offset, counted in SQL. */
  ledgerDailyCounts(options?: ReportOptions): Promise<DailyCount[]>
}

/** The SQL stores (SQLite, PostgreSQL), where the ledger works. */
export declare abstract class SqlStore extends Store {}

export interface StoreOptions {
  /** Table / key prefix: 1–32 of a–z 0–9 _, from a letter (default `regcore`). */
  prefix?: string
  retry?: RetryOptions
}

/** SQLite via `better-sqlite3` 12 (a path, opened in WAL mode, or your Database). */
export declare class SQLiteStore extends SqlStore {
  constructor(database: string | import('better-sqlite3').Database, options?: StoreOptions & { busyTimeoutMs?: number })
  readonly connection: import('better-sqlite3').Database
  /** Close the database if the store opened it from a path. */
  close(): void
}

/** PostgreSQL via `pg` 8 (a Pool, or a connected Client used one operation at a time). */
export declare class PostgresStore extends SqlStore {
  constructor(source: import('pg').Pool | import('pg').Client, options?: StoreOptions)
  readonly source: import('pg').Pool | import('pg').Client
}

/** The node-redis methods the Redis store uses (a client or a cluster). */
export interface RedisLike {
  get(key: string): Promise<string | null | unknown>
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
}

/**
 * Redis or Redis Cluster via node-redis (`redis` ≥ 4). The ledger,
 * migrations and purge are refused with `store.unsupported` (keys expire by
 * TTL; asynchronous replication can lose a "forever" binding).
 */
export declare class RedisStore extends Store {
  constructor(client: RedisLike, options?: StoreOptions)
  readonly client: RedisLike
}

/** The versioned SQL migrations (`schemaMigrations()` of the binding). */
export declare function migrations(): SchemaMigration[]
