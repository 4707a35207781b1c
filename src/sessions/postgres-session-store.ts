import { createHmac, randomBytes } from 'node:crypto'
import type { Queryable } from '../postgres/open-postgres.ts'
import type { WebSessions } from './session-port.ts'
import { DEFAULT_ABSOLUTE_MS, DEFAULT_IDLE_MS, type Session, type SessionLimits } from './session-store.ts'

/** As session-store.ts: activity is written back at most this often, so a page load is not a write each time. */
const TOUCH_EVERY_MS = 60_000
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/

/**
 * Sessions in runtime.web_sessions on PostgreSQL, on the web role's connection: the same rows as on SQLite, keyed
 * by the same HMAC of the cookie's id (keyed by the admin token), so sessions survive `app db migrate` and a
 * copy of the table (a dump) opens none.
 */
export function createPostgresSessions(db: Queryable, adminToken: string, limits: SessionLimits = {}): WebSessions {
  const idleMs = limits.idleMs ?? DEFAULT_IDLE_MS
  const absoluteMs = limits.absoluteMs ?? DEFAULT_ABSOLUTE_MS
  const touchEveryMs = Math.min(TOUCH_EVERY_MS, Math.floor(idleMs / 4))
  const keyOf = (id: string) => createHmac('sha256', adminToken).update(`session.${id}`).digest('base64url')
  return {
    absoluteMs,
    async create(displayName = null) {
      const now = Date.now()
      const session: Session = {
        id: randomBytes(32).toString('base64url'),
        csrf: randomBytes(24).toString('base64url'),
        expiresAt: now + absoluteMs,
        displayName: displayName || null,
      }
      // Sign-ins are rare: the table is swept then, in the same statement.
      await db.query(
        `WITH swept AS (DELETE FROM runtime.web_sessions WHERE expires_at <= $3 OR last_seen_at <= $6)
         INSERT INTO runtime.web_sessions (key, csrf, created_at, last_seen_at, expires_at, display_name) VALUES ($1, $2, $3, $3, $4, $5)`,
        [keyOf(session.id), session.csrf, now, session.expiresAt, session.displayName, now - idleMs],
      )
      return session
    },
    async find(id) {
      if (!SESSION_ID.test(id)) return null
      const key = keyOf(id)
      const { rows } = await db.query<{ csrf: string; lastSeenAt: number; expiresAt: number; displayName: string | null }>(
        `SELECT csrf, last_seen_at AS "lastSeenAt", expires_at AS "expiresAt", display_name AS "displayName"
         FROM runtime.web_sessions WHERE key = $1`,
        [key],
      )
      const row = rows[0]
      const now = Date.now()
      if (!row || row.expiresAt <= now || row.lastSeenAt <= now - idleMs) return null
      if (now - row.lastSeenAt >= touchEveryMs) {
        // Never backwards: another web process may have written a later time meanwhile.
        await db.query('UPDATE runtime.web_sessions SET last_seen_at = $2 WHERE key = $1 AND last_seen_at < $2', [key, now]).catch(() => {}) // the next request records the activity
      }
      return { id, csrf: row.csrf, expiresAt: row.expiresAt, displayName: row.displayName }
    },
    async revoke(id) {
      if (SESSION_ID.test(id)) await db.query('DELETE FROM runtime.web_sessions WHERE key = $1', [keyOf(id)])
    },
  }
}
