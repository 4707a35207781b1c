import type { Context } from 'hono'
import type { Db } from '../store/open-database.ts'
import { constantTimeEqual } from './constant-time-equal.ts'
import { cookieValues, SESSION_COOKIE } from './session-cookies.ts'
import { createSessionStore, type Session, type SessionLimits } from './session-store.ts'
import { clientAddress, createSignInThrottle } from './sign-in-throttle.ts'

export { SESSION_COOKIE } from './session-cookies.ts'

export type AuthMethod = 'bearer' | 'cookie'

export interface Auth {
  /** How the request proved it holds the admin token, or null. A throttled client's Bearer token is not compared. */
  check(c: Context): AuthMethod | null
  /**
   * Whether the request carries the admin's live session or the admin token as Bearer, for a plugin's public
   * route: there a wrong token is a caller's own header, not a failed sign-in, so it is not counted (and a
   * throttled client's token is not compared).
   */
  holdsAdmin(c: Context): boolean
  /** Seconds the request's client must wait after too many failed sign-ins; 0 when it may try. */
  retryAfterS(c: Context): number
  /** True when `token` is the admin token (constant time); a miss counts against the client's address. */
  tokenMatches(c: Context, token: string): boolean
  /** A new server-side session (the caller sets its cookie), with the name the operator gave at sign-in. */
  startSession(displayName?: string | null): Session
  /** Revokes every live session the request's cookies name: sign-out, everywhere. */
  endSessions(c: Context): void
  /** The CSRF token that forms of this session carry (null without a live session). */
  csrfFor(c: Context): string | null
  /** Who is acting, for the audit list: the name given at sign-in, else how the request signed in. */
  actorFor(c: Context): string
  /** How long the session cookie is kept, in seconds (the absolute expiry). */
  readonly sessionMaxAgeS: number
}

/**
 * The admin token guards everything: as `Authorization: Bearer`, or through a
 * session started by signing in with it (server-side, in runtime.db). Failed
 * sign-ins of both kinds are throttled per client address.
 */
export function createAuth(token: string, runtime: Db, limits: SessionLimits = {}): Auth {
  const sessions = createSessionStore(runtime, token, limits)
  const throttle = createSignInThrottle()
  const found = new WeakMap<Context, Session | null>() // one lookup per request, however often it is asked
  const session = (c: Context): Session | null => {
    if (!found.has(c))
      found.set(
        c,
        cookieValues(c, SESSION_COOKIE)
          .map((id) => sessions.find(id))
          .find((s) => s !== null) ?? null,
      )
    return found.get(c)!
  }
  const tokenMatches = (c: Context, candidate: string) => {
    const client = clientAddress(c)
    if (throttle.retryAfterS(client)) return false
    const ok = constantTimeEqual(candidate, token)
    if (ok) throttle.succeeded(client)
    else throttle.failed(client)
    return ok
  }
  return {
    check(c) {
      const header = c.req.header('authorization')
      if (header !== undefined) {
        const m = /^Bearer\s+(\S+)\s*$/i.exec(header)
        return tokenMatches(c, m?.[1] ?? '') ? 'bearer' : null
      }
      return session(c) ? 'cookie' : null
    },
    holdsAdmin(c) {
      if (session(c)) return true
      const m = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')
      return m !== null && !throttle.retryAfterS(clientAddress(c)) && constantTimeEqual(m[1]!, token)
    },
    retryAfterS: (c) => throttle.retryAfterS(clientAddress(c)),
    tokenMatches,
    startSession: (displayName) => sessions.create(displayName),
    endSessions(c) {
      for (const id of cookieValues(c, SESSION_COOKIE)) sessions.revoke(id)
      found.set(c, null)
    },
    csrfFor: (c) => session(c)?.csrf ?? null,
    actorFor: (c) => {
      if (c.req.header('authorization') !== undefined) return 'admin token (API)'
      const s = session(c)
      return s?.displayName ?? 'admin (no name given)'
    },
    sessionMaxAgeS: Math.floor(sessions.absoluteMs / 1000),
  }
}
