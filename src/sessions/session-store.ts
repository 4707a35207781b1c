import { createHmac, randomBytes } from 'node:crypto'
import type { Db } from '../store/open-database.ts'

/** A signed-in browser: what its forms carry, and when it lapses. */
export interface Session {
  /** The cookie's value: 32 random bytes, base64url. Only its HMAC is stored. */
  id: string
  csrf: string
  expiresAt: number
  /** The name given at sign-in ("Your name"), shown in the audit list and on acknowledgements; null when none was given. */
  displayName: string | null
}

export interface SessionLimits {
  /** Unused this long, a session ends. Default 2 h. */
  idleMs?: number
  /** Used or not, a session ends this long after sign-in. Default 12 h. */
  absoluteMs?: number
}

export const DEFAULT_IDLE_MS = 2 * 3600_000
export const DEFAULT_ABSOLUTE_MS = 12 * 3600_000
/** Activity is written back at most this often: a page load must not be a write to runtime.db each time. */
const TOUCH_EVERY_MS = 60_000

export interface SessionStore {
  readonly absoluteMs: number
  create(displayName?: string | null): Session
  /** The live session behind a cookie value, or null (unknown, revoked, idle too long or past its absolute expiry). */
  find(id: string): Session | null
  revoke(id: string): void
}

/**
 * Server-side sessions in runtime.db (table web_sessions), so that every web
 * process of the install accepts a sign-in and honours a sign-out. The row key
 * is an HMAC of the cookie's random id keyed by the admin token: a copy of
 * runtime.db (a backup) opens no session, and a new admin token ends them all.
 */
export function createSessionStore(db: Db, adminToken: string, limits: SessionLimits = {}): SessionStore {
  const idleMs = limits.idleMs ?? DEFAULT_IDLE_MS
  const absoluteMs = limits.absoluteMs ?? DEFAULT_ABSOLUTE_MS
  const touchEveryMs = Math.min(TOUCH_EVERY_MS, Math.floor(idleMs / 4))
  const keyOf = (id: string) => createHmac('sha256', adminToken).update(`session.${id}`).digest('base64url')
  const insert = db.prepare(
    'INSERT INTO web_sessions (key, csrf, created_at, last_seen_at, expires_at, display_name) VALUES (?, ?, ?, ?, ?, ?)',
  )
  const select = db.prepare(
    'SELECT csrf, last_seen_at AS lastSeenAt, expires_at AS expiresAt, display_name AS displayName FROM web_sessions WHERE key = ?',
  )
  const touch = db.prepare('UPDATE web_sessions SET last_seen_at = ? WHERE key = ?')
  const remove = db.prepare('DELETE FROM web_sessions WHERE key = ?')
  const purge = db.prepare('DELETE FROM web_sessions WHERE expires_at <= ? OR last_seen_at <= ?')
  return {
    absoluteMs,
    create(displayName = null) {
      const now = Date.now()
      const session = {
        id: randomBytes(32).toString('base64url'),
        csrf: randomBytes(24).toString('base64url'),
        expiresAt: now + absoluteMs,
        displayName: displayName || null,
      }
      db.transaction(() => {
        purge.run(now, now - idleMs) // sign-ins are rare: the table is swept then
        insert.run(keyOf(session.id), session.csrf, now, now, session.expiresAt, session.displayName)
      }).immediate()
      return session
    },
    find(id) {
      if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return null
      const key = keyOf(id)
      const row = select.get(key) as { csrf: string; lastSeenAt: number; expiresAt: number; displayName: string | null } | undefined
      const now = Date.now()
      if (!row || row.expiresAt <= now || row.lastSeenAt <= now - idleMs) return null
      if (now - row.lastSeenAt >= touchEveryMs) {
        try {
          touch.run(now, key)
        } catch {
          /* runtime.db busy: the next request records the activity */
        }
      }
      return { id, csrf: row.csrf, expiresAt: row.expiresAt, displayName: row.displayName ?? null }
    },
    revoke(id) {
      if (/^[A-Za-z0-9_-]{43}$/.test(id)) remove.run(keyOf(id))
    },
  }
}
