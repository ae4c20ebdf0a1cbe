/**
 * regcore/express: a login guard for Express 5 (Fastify and others through
 * `guard.admit`) and password-policy errors in the language of
 * Accept-Language. Rules and messages come from the native module.
 */
import type { CheckContext, LockoutPolicy, PasswordPolicy } from '../index'
import type { Store } from '../store'

/** The request fields the helpers read (Express, Fastify and node:http requests have them). */
export interface RequestLike {
  headers: Record<string, string | string[] | undefined>
  body?: any
}

export type Language = 'en' | 'ja'

/** A refusal: answer 429 with `Retry-After: retryAfterSecs`. */
export interface LockedInfo {
  status: 429
  retryAfterSecs: number
  lockedUntil?: Date
  /** `lockout.locked` */
  code: string
  /** Core's message in the request's language. */
  message: string
  lang: Language
}

export interface Admission {
  locked: null
  keys: string[]
  /** Settle once after the password check; `locked` when this failure locked the key. */
  settle(ok: boolean): Promise<{ ok: boolean; locked: LockedInfo | null }>
}

export interface Refusal {
  locked: LockedInfo
  keys: string[]
}

export interface LoginGuardOptions<Req extends RequestLike = RequestLike> {
  /** A regcore/store store (SQLite, PostgreSQL or Redis). */
  store: Store
  /** Default `LockoutPolicy.upsSite()`. */
  policy?: LockoutPolicy
  /** The lockout key(s) of a request (default `req.body.username`); empty: not guarded. */
  key?: (req: Req) => string | null | undefined | Array<string | null | undefined>
  /** Answer a refusal yourself (default: 429, Retry-After, text or JSON). */
  onLocked?: (req: Req, res: any, locked: LockedInfo) => void
}

export interface LoginGuard<Req extends RequestLike = RequestLike> {
  (req: Req, res: any, next: (err?: unknown) => void): Promise<void>
  /** Framework-neutral admission (Fastify preHandler, node:http, …). */
  admit(req: Req): Promise<Admission | Refusal>
  readonly policy: LockoutPolicy
  readonly store: Store
}

export declare function loginGuard<Req extends RequestLike = RequestLike>(options: LoginGuardOptions<Req>): LoginGuard<Req>
/** `'ja'` when Accept-Language prefers Japanese over English, else `'en'`. */
export declare function language(req: RequestLike | null | undefined): Language
/** Every violation, `{ code, message }` in the request's language. */
export declare function passwordErrors(
  policy: PasswordPolicy,
  password: string,
  req: RequestLike | null | undefined,
  context?: CheckContext,
): Array<{ code: string; message: string }>
/** The policy's rules (`describe()`) in the request's language. */
export declare function passwordHelp(policy: PasswordPolicy, req: RequestLike | null | undefined, context?: CheckContext): string[]
/** 429 + Retry-After + Content-Language with the message (Express response). */
export declare function sendLocked(req: RequestLike, res: any, locked: LockedInfo): void

declare global {
  namespace Express {
    interface Request {
      /** Set by `loginGuard` when the attempt was admitted. */
      regcore?: Admission
    }
  }
}
