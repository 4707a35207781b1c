import { createHmac } from 'node:crypto'
import type { Context } from 'hono'
import { getCookie } from 'hono/cookie'
import { constantTimeEqual } from './constant-time-equal.ts'

export const SESSION_COOKIE = 'app_session'
export const SESSION_MAX_AGE_S = 12 * 3600

export type AuthMethod = 'bearer' | 'cookie'

export interface Auth {
  /** How the request proved it holds the admin token, or null. */
  check(c: Context): AuthMethod | null
  /** True when `token` is the admin token (constant time). */
  tokenMatches(token: string): boolean
  /** A fresh session cookie value: its expiry and an HMAC keyed by the admin token. */
  newSession(): string
  /** The CSRF token that forms of this session carry (null without a session cookie). */
  csrfFor(c: Context): string | null
}

/**
 * Stateless sessions: the cookie is `<expiresMs>.<hmac>`, keyed by the admin
 * token, so every web process accepts it, and changing the token signs
 * everyone out. No session table to share between hosts.
 */
export function createAuth(token: string): Auth {
  const sign = (what: string) => createHmac('sha256', token).update(what).digest('base64url')
  const validSession = (value: string | undefined): value is string => {
    if (!value) return false
    const dot = value.indexOf('.')
    const expires = Number(value.slice(0, dot))
    if (dot < 1 || !Number.isSafeInteger(expires) || expires < Date.now()) return false
    return constantTimeEqual(value.slice(dot + 1), sign(`session.${expires}`))
  }
  return {
    check(c) {
      const header = c.req.header('authorization')
      if (header !== undefined) {
        const m = /^Bearer\s+(\S+)\s*$/i.exec(header)
        return m && constantTimeEqual(m[1]!, token) ? 'bearer' : null
      }
      return validSession(getCookie(c, SESSION_COOKIE)) ? 'cookie' : null
    },
    tokenMatches: (candidate) => constantTimeEqual(candidate, token),
    newSession() {
      const expires = Date.now() + SESSION_MAX_AGE_S * 1000
      return `${expires}.${sign(`session.${expires}`)}`
    },
    csrfFor(c) {
      const session = getCookie(c, SESSION_COOKIE)
      return validSession(session) ? sign(`csrf.${session}`) : null
    },
  }
}
