import type { WebSessions } from '../sessions/session-port.ts'
import type { Session } from '../sessions/session-store.ts'

/** How long a found session is reused without asking runtime.db again (far below its idle expiry and touch interval). */
const REUSE_MS = 1000
/** Bounds the memory: live sessions are few; the oldest entry goes first. */
const MAX_SESSIONS = 1000

/**
 * Sessions as `store` finds them, reused for a second while runtime.db has seen no commit: a page load
 * of a signed-in browser then costs no HMAC and no query. Any commit (a sign-out in another web
 * process deletes the row) makes the next request ask the store, and so does the time a session is
 * reused for, so its absolute expiry and its activity (the store's touch) are kept as before.
 */
export function cacheSessions(store: Pick<WebSessions, 'find'>, committed: () => string): (id: string) => Promise<Session | null> {
  const found = new Map<string, { session: Session; at: number; commits: string }>()
  return async (id) => {
    const now = Date.now()
    const commits = committed()
    const hit = found.get(id)
    if (hit && hit.commits === commits && now - hit.at < REUSE_MS && now < hit.session.expiresAt) return hit.session
    const session = await store.find(id)
    found.delete(id)
    if (!session) return null
    // The count from before the lookup: a commit during it (or its own touch) only costs one more lookup.
    found.set(id, { session, at: now, commits })
    if (found.size > MAX_SESSIONS) found.delete(found.keys().next().value!)
    return session
  }
}
