import type { RuntimeBackend } from '../backend/runtime-backend.ts'
import type { Logger } from '../log/create-logger.ts'
import type { JobWakeup } from '../queue/postgres-job-wakeup.ts'

/** PostgreSQL: a claim at least this often, whatever the notifications say (one may be lost while the listener reconnects). */
const FALLBACK_POLL_MS = 1000
const LISTEN_RETRY_MS = 2000

/** A value that moves when jobs may have become claimable; the claim loop claims again when it moved. */
export interface JobChanges {
  get(): unknown
  close(): Promise<void>
}

/**
 * SQLite: `PRAGMA data_version`, which moves whenever another connection commits to runtime.db; the claim
 * loop reads it every round. PostgreSQL: a counter moved by the jobs channel's NOTIFY (an insert, a requeue,
 * a retry), which also wakes the loop at once through `onChange`, and by a poll every second as the fallback.
 */
export function watchJobChanges(runtime: RuntimeBackend, url: string | undefined, log: Logger, onChange: () => void): JobChanges {
  if (runtime.sqlite) {
    const version = runtime.sqlite.prepare('PRAGMA data_version').pluck()
    return { get: () => version.get(), close: async () => {} }
  }
  if (!url) throw new Error('the worker runs on PostgreSQL but has no database.url to listen on')
  let version = 0
  const moved = () => {
    version++
    onChange()
  }
  const poll = setInterval(moved, FALLBACK_POLL_MS)
  poll.unref()
  let listener: JobWakeup | null = null
  let closed = false
  let retry: ReturnType<typeof setTimeout> | undefined
  // pg and the PostgreSQL adapters are loaded here, never on SQLite (as in open-backend.ts and open-thread-backend.ts).
  const listen = () => {
    Promise.all([import('../queue/postgres-job-wakeup.ts'), import('../backend/postgres-runtime-backend.ts')])
      .then(([{ listenForJobs }, { connectionName }]) =>
        listenForJobs(url, moved, {
          applicationName: connectionName('worker jobs'),
          onError: (error) =>
            log.warn({ err: error }, 'lost the connection that listens for new jobs; reconnecting (claims go on every second)'),
        }),
      )
      .then(
        (l) => {
          if (closed) void l.close()
          else listener = l
        },
        (error) => {
          if (closed) return
          log.warn({ err: error }, 'could not listen for new jobs; trying again (claims go on every second)')
          retry = setTimeout(listen, LISTEN_RETRY_MS)
          retry.unref()
        },
      )
  }
  listen()
  return {
    get: () => version,
    async close() {
      closed = true
      clearInterval(poll)
      clearTimeout(retry)
      await listener?.close()
    },
  }
}
