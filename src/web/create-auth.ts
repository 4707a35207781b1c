import type { Context } from 'hono'
import type { RuntimeBackend } from '../backend/runtime-backend.ts'
import { commitCounter } from './commit-counter.ts'
import { secretMatcher } from './constant-time-equal.ts'
import { cookieValues, SESSION_COOKIE } from './session-cookies.ts'
import type { Session, SessionLimits } from '../sessions/session-store.ts'
import { cacheSessions } from './session-cache.ts'
import { clientAddress, createSignInThrottle } from './sign-in-throttle.ts'

export { SESSION_COOKIE } from './session-cookies.ts'

export type AuthMethod = 'bearer' | 'cookie'

export interface Auth {
  /**
   * How the request proved it holds the admin token, or null. A throttled client's Bearer token is not compared.
   * Also looks up the session the request's cookies name, which csrfFor and actorFor then answer from.
   */
  check(c: Context): Promise<AuthMethod | null>
  /**
   * Whether the request carries the admin's live session or the admin token as Bearer, for a plugin's public
   * route: there a wrong token is a caller's own header, not a failed sign-in, so it is not counted (and a
   * throttled client's token is not compared).
   */
  holdsAdmin(c: Context): Promise<boolean>
  /** Seconds the request's client must wait after too many failed sign-ins; 0 when it may try. */
  retryAfterS(c: Context): number
  /** True when `token` is the admin token (constant time); a miss counts against the client's address. */
  tokenMatches(c: Context, token: string): boolean
  /** A new server-side session (the caller sets its cookie), with the name the operator gave at sign-in. */
  startSession(displayName?: string | null): Promise<Session>
  /** Revokes every live session the request's cookies name: sign-out, everywhere. */
  endSessions(c: Context): Promise<void>
  /** The CSRF token that forms of this session carry (null without a live session, or before check). */
  csrfFor(c: Context): string | null
  /** Who is acting, for the audit list: the name given at sign-in, else how the request signed in (after check). */
  actorFor(c: Context): string
  /** How long the session cookie is kept, in seconds (the absolute expiry). */
  readonly sessionMaxAgeS: number
}

/**
 * The admin token guards everything: as `Authorization: Bearer`, or through a
 * session started by signing in with it (server-side, in the runtime tables). Failed
 * sign-ins of both kinds are throttled per client address.
 */
export function createAuth(token: string, runtime: Pick<RuntimeBackend, 'sessions' | 'sqlite'>, limits: SessionLimits = {}): Auth {
  const sessions = runtime.sessions(token, limits)
  // SQLite: a found session is reused while runtime.db saw no commit. PostgreSQL tells of no commit cheaply, and a
  // sign-out in another web process must end the session here on the next request: each request asks (one indexed read).
  const findSession = runtime.sqlite ? cacheSessions(sessions, commitCounter(runtime.sqlite)) : (id: string) => sessions.find(id)
  const throttle = createSignInThrottle()
  const isToken = secretMatcher(token)
  const lookups = new WeakMap<Context, Promise<Session | null>>() // one lookup per request, however often it is asked
  const found = new WeakMap<Context, Session | null>() // its answer, for the synchronous csrfFor and actorFor
  const session = (c: Context): Promise<Session | null> => {
    let lookup = lookups.get(c)
    if (!lookup) {
      lookup = firstSession(cookieValues(c, SESSION_COOKIE), findSession).then((s) => {
        if (!found.has(c)) found.set(c, s)
        return found.get(c)!
      })
      lookups.set(c, lookup)
    }
    return lookup
  }
  const tokenMatches = (c: Context, candidate: string) => {
    const client = clientAddress(c)
    if (throttle.retryAfterS(client)) return false
    const ok = isToken(candidate)
    if (ok) throttle.succeeded(client)
    else throttle.failed(client)
    return ok
  }
  return {
    async check(c) {
      const signedIn = await session(c)
      const header = c.req.header('authorization')
      if (header !== undefined) {
        const m = /^Bearer\s+(\S+)\s*$/i.exec(header)
        return tokenMatches(c, m?.[1] ?? '') ? 'bearer' : null
      }
      return signedIn ? 'cookie' : null
    },
    async holdsAdmin(c) {
      if (await session(c)) return true
      const m = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')
      return m !== null && !throttle.retryAfterS(clientAddress(c)) && isToken(m[1]!)
    },
    retryAfterS: (c) => throttle.retryAfterS(clientAddress(c)),
    tokenMatches,
    startSession: (displayName) => sessions.create(displayName),
    async endSessions(c) {
      for (const id of cookieValues(c, SESSION_COOKIE)) await sessions.revoke(id)
      found.set(c, null)
    },
    csrfFor: (c) => found.get(c)?.csrf ?? null,
    actorFor: (c) => {
      if (c.req.header('authorization') !== undefined) return 'admin token (API)'
      return found.get(c)?.displayName ?? 'admin (no name given)'
    },
    sessionMaxAgeS: Math.floor(sessions.absoluteMs / 1000),
  }
}

/** The first live session among the cookie's values (a browser may send several), asked one after the other. */
async function firstSession(ids: string[], find: (id: string) => Promise<Session | null>): Promise<Session | null> {
  for (const id of ids) {
    const s = await find(id)
    if (s) return s
  }
  return null
}
