import pg from 'pg'
import { unreachable } from '../postgres/open-postgres.ts'
import { JOBS_CHANNEL } from './postgres-notify-jobs.ts'

const RETRY_MIN_MS = 100
const RETRY_MAX_MS = 5000

export interface JobWakeupOptions {
  /** Shown in pg_stat_activity beside the role's pool. */
  applicationName: string
  /** The connection dropped (server restart, admin kill, network); the listener reconnects by itself. */
  onError?: (error: Error) => void
}

export interface JobWakeup {
  close(): Promise<void>
}

/**
 * Listens on the jobs channel on a dedicated connection (a pooled one would be handed to queries) and calls
 * `onJobs(runAt)` when jobs became claimable: runAt is the earliest one's run_at, null when unknown. A dropped
 * connection is reopened with backoff and LISTENs again; then `onJobs(null)`, since notifications sent while it
 * was down are lost. Jobs due later still need the worker's own timer (nextDueAt): a NOTIFY comes at insert.
 */
export async function listenForJobs(url: string, onJobs: (runAt: number | null) => void, options: JobWakeupOptions): Promise<JobWakeup> {
  let client: pg.Client | null = null
  let closed = false
  let retryMs = RETRY_MIN_MS
  let timer: ReturnType<typeof setTimeout> | undefined

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url, application_name: options.applicationName.slice(0, 63), keepAlive: true })
    c.on('notification', (m) => {
      if (m.channel !== JOBS_CHANNEL) return
      const runAt = m.payload ? Number(m.payload) : Number.NaN
      onJobs(Number.isFinite(runAt) ? runAt : null)
    })
    c.on('error', (error) => dropped(c, error))
    c.on('end', () => dropped(c, new Error('the listening connection ended')))
    try {
      await c.connect()
      await c.query(`LISTEN ${JOBS_CHANNEL}`)
    } catch (error) {
      await c.end().catch(() => {})
      throw error
    }
    if (closed) await c.end().catch(() => {})
    else client = c
  }

  const dropped = (c: pg.Client, error: Error) => {
    if (closed || client !== c) return
    client = null
    options.onError?.(error)
    void c.end().catch(() => {})
    reconnect()
  }

  const reconnect = () => {
    timer = setTimeout(() => {
      connect().then(
        () => {
          retryMs = RETRY_MIN_MS
          if (!closed) onJobs(null)
        },
        (error: Error) => {
          if (closed) return
          options.onError?.(error)
          retryMs = Math.min(retryMs * 2, RETRY_MAX_MS)
          reconnect()
        },
      )
    }, retryMs)
    timer.unref()
  }

  try {
    await connect()
  } catch (cause) {
    throw unreachable(url, cause)
  }
  return {
    async close() {
      closed = true
      clearTimeout(timer)
      const c = client
      client = null
      await c?.end().catch(() => {})
    },
  }
}
