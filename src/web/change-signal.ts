import type { RuntimeBackend } from '../backend/runtime-backend.ts'
import { commitCounter } from './commit-counter.ts'
import type { WebStore } from './web-store.ts'

/** How long the runtime's token is reused on SQLite without a commit there: a silent process turns "dead" by time alone. */
const RECHECK_MS = 1000

/**
 * A string that differs once anything the admin snapshot shows may have changed, in the plugin store or the
 * runtime tables, whichever process changed it. SQLite: commitCounter on each file (a pread per request), and
 * the runtime's change token read again only after a commit there or once a second. PostgreSQL has no commit
 * counter to read: each request asks both change tokens (two small queries, at once), and requests that come
 * while they run share the next asking, never one that began before them, so none misses a change it saw made.
 */
export function changeSignal(store: WebStore, runtime: Pick<RuntimeBackend, 'sqlite' | 'console'>): () => Promise<string> {
  const storeCommits = store.sqlite ? commitCounter(store.sqlite) : null
  const runtimeCommits = runtime.sqlite ? commitCounter(runtime.sqlite) : null
  let checked = { commits: '', at: 0, token: Promise.resolve('') }
  const runtimeToken = (commits: string): Promise<string> => {
    const now = Date.now()
    if (commits !== checked.commits || now - checked.at >= RECHECK_MS) {
      const token = runtime.console.changeToken(now)
      checked = { commits, at: now, token }
      token.catch(() => {
        if (checked.token === token) checked.at = 0 // asked again on the next request
      })
    }
    return checked.token
  }
  // A store with neither signal (none today) is read afresh on every request.
  const asked = freshReads(async () => {
    const [s, r] = await Promise.all([
      storeCommits ? '' : (store.changeToken?.() ?? String(Math.random())),
      runtimeCommits ? '' : runtime.console.changeToken(),
    ])
    return `${s}|${r}`
  })
  const ask = !storeCommits || !runtimeCommits
  return async () => {
    const s = storeCommits?.() ?? ''
    const r = runtimeCommits ? await runtimeToken(runtimeCommits()) : ''
    return `${s}|${r}|${ask ? await asked() : ''}`
  }
}

/**
 * `read`, at most one at a time: a caller that comes while one runs waits for the next, which starts when it
 * ends and is shared by everyone who came meanwhile. Each caller gets an answer read after it asked.
 */
export function freshReads<T>(read: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null
  let next: Promise<T> | null = null
  const start = () => {
    const p = read()
    running = p
    const done = () => {
      if (running === p) running = null
    }
    p.then(done, done)
    return p
  }
  return () => {
    if (!running) return start()
    next ??= running
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        next = null
        return start()
      })
    return next
  }
}
