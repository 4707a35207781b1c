import { hostname } from 'node:os'
import pg from 'pg'
import { redactUrl } from '../config/redact-url.ts'
import { AppError, ExitCode } from '../errors/app-error.ts'
import { unreachable } from '../postgres/open-postgres.ts'
import type { LockHolder, WriterLock } from './writer-lock.ts'

// pg_try_advisory_lock(int, int): 'APP1' and 1, the plugin store's writer. Advisory locks are per database,
// so two installs on one server do not meet.
const LOCK_CLASS = 0x41505031
const LOCK_ID = 1
const PREFIX = 'app scheduler '

/**
 * The single writer on PostgreSQL: a session-level advisory lock on a connection of its own. The server frees
 * it when that connection goes, so a scheduler killed with -9 (or a host that dies) releases it once the server
 * sees the connection drop. The holder's identity travels in the connection's application_name, so a refused
 * scheduler names a holder that is certainly alive: it reads it from pg_stat_activity of the session that holds
 * the lock, not from a record that could be stale. `onLost`: the lock's connection broke, so another scheduler
 * may now write; the caller must stop writing at once.
 */
export async function openPostgresWriterLock(url: string, command: string, onLost: (error: Error) => void): Promise<WriterLock> {
  const holder: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command }
  const client = new pg.Client({ connectionString: url, application_name: applicationName(holder), connectionTimeoutMillis: 10_000 })
  try {
    await client.connect()
  } catch (cause) {
    throw unreachable(url, cause)
  }
  let closing = false
  const lost = (error: Error) => {
    if (!closing) onLost(error)
  }
  client.on('error', lost)
  client.on('end', () => lost(new Error('the connection holding the writer lock closed')))
  const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [LOCK_CLASS, LOCK_ID])
  if (!rows[0]?.ok) {
    const current = await lockHolder(client)
    closing = true
    await client.end()
    throw locked(url, current)
  }
  return {
    holder,
    async close() {
      closing = true
      await client.end().catch(() => {})
    },
  }
}

/** Who holds the writer lock now, from the holding session's application_name and address; null when free. */
export async function lockHolder(db: pg.ClientBase | pg.Pool): Promise<{ description: string } | null> {
  const { rows } = await db.query<{ application_name: string | null; client_addr: string | null; backend_start: Date | null }>(
    `SELECT a.application_name, host(a.client_addr) AS client_addr, a.backend_start FROM pg_locks l
      JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objid = $2 AND l.objsubid = 2 AND l.granted
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [LOCK_CLASS, LOCK_ID],
  )
  const row = rows[0]
  if (!row) return null
  const name = row.application_name?.startsWith(PREFIX) ? row.application_name.slice(PREFIX.length) : (row.application_name ?? '?')
  const since = row.backend_start ? `, connected since ${row.backend_start.toISOString()}` : ''
  return { description: `${name} (connection from ${row.client_addr ?? 'a local socket'}${since})` }
}

// "app scheduler <host>:<pid> <command>", within PostgreSQL's 63 bytes.
function applicationName(h: LockHolder): string {
  return `${PREFIX}${h.host}:${h.pid} ${h.command}`.slice(0, 63)
}

function locked(url: string, holder: { description: string } | null): AppError {
  const who = holder ? holder.description : 'a session that let it go a moment ago (try again)'
  return new AppError(
    'WRITER_LOCKED',
    `another scheduler holds the plugin store's writer lock in PostgreSQL ${redactUrl(url)}: ${who}. Only one scheduler (or \`app plugins sync\`/\`rollback\`) may write at a time; stop it first.`,
    { exitCode: ExitCode.locked },
  )
}
