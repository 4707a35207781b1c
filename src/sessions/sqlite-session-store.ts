import type { Db } from '../store/open-database.ts'
import type { WebSessions } from './session-port.ts'
import { createSessionStore, type SessionLimits } from './session-store.ts'

/** Sessions in runtime.db (the embedded default): today's session store behind the WebSessions port. */
export function createSqliteSessions(db: Db, adminToken: string, limits: SessionLimits = {}): WebSessions {
  const store = createSessionStore(db, adminToken, limits)
  return {
    absoluteMs: store.absoluteMs,
    create: async (displayName) => store.create(displayName),
    find: async (id) => store.find(id),
    revoke: async (id) => store.revoke(id),
  }
}
