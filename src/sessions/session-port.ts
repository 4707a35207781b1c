// The port of the admin sign-in sessions (runtime table web_sessions), shared by every web process of the
// install. The SQLite adapter (sqlite-session-store.ts) wraps session-store.ts; the PostgreSQL one is
// postgres-session-store.ts; test/contract/sessions.unit.test.ts runs one suite on both.
import type { Session } from './session-store.ts'

export interface WebSessions {
  /** How long a session lasts at most, used or not (the cookie's max age). */
  readonly absoluteMs: number
  /** A new session; only the HMAC of its id is stored. */
  create(displayName?: string | null): Promise<Session>
  /** The live session behind a cookie value, or null (unknown, revoked, idle too long or past its absolute expiry). */
  find(id: string): Promise<Session | null>
  /** Sign-out: every web process stops accepting it. */
  revoke(id: string): Promise<void>
}
