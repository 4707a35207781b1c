import { hostname } from 'node:os'
import { type PgPool, withTransaction } from '../postgres/open-postgres.ts'
import { APP_VERSION } from '../version.ts'
import { type LoadReport, newProcessId, type ProcessRow, toLoadReport, toProcessInfo } from './process-info.ts'
import type { ProcessRegistration, ProcessRegistryPort } from './process-registry-port.ts'

const iso = () => new Date().toISOString()

/** The process registry in runtime.processes and runtime.load_reports, on each role's own pool. */
export function createPostgresProcessRegistry(pool: PgPool): ProcessRegistryPort {
  return {
    register: (role, options) => register(pool, role, options?.heartbeatMs ?? 5000),
    async list(options = {}) {
      // ISO times sort as text only by code point, whatever the database's collation.
      const { rows } = await pool.query<ProcessRow>(
        `SELECT * FROM runtime.processes ${options.includeStopped ? '' : 'WHERE stopped_at IS NULL'} ORDER BY started_at COLLATE "C" DESC LIMIT 500`,
      )
      const now = options.now ?? Date.now()
      return rows.map((r) => toProcessInfo(r, now))
    },
    async loadReports(plugin) {
      const { rows } = await pool.query<ProcessRow>(
        `SELECT * FROM runtime.load_reports WHERE $1::text IS NULL OR plugin = $1 ORDER BY process_id COLLATE "C", plugin COLLATE "C"`,
        [plugin ?? null],
      )
      return rows.map(toLoadReport)
    },
    async prune(before) {
      // ISO times compare as text, by code point; load_reports go with their process (ON DELETE CASCADE).
      const r = await pool.query('DELETE FROM runtime.processes WHERE coalesce(stopped_at, heartbeat_at) COLLATE "C" < $1', [
        before.toISOString(),
      ])
      return r.rowCount ?? 0
    },
  }
}

async function register(pool: PgPool, role: string, heartbeatMs: number): Promise<ProcessRegistration> {
  const startedAt = iso()
  const id = newProcessId(startedAt)
  await pool.query(
    'INSERT INTO runtime.processes (id, role, host, pid, version, started_at, heartbeat_at) VALUES ($1, $2, $3, $4, $5, $6, $6)',
    [id, role, hostname(), process.pid, APP_VERSION, startedAt],
  )
  const timer = setInterval(() => {
    // A beat that fails (server restarting, pool busy) is made up by the next one.
    pool.query('UPDATE runtime.processes SET heartbeat_at = $1 WHERE id = $2', [iso(), id]).catch(() => {})
  }, heartbeatMs)
  timer.unref()
  return {
    id,
    async setGeneration(generation) {
      await pool.query('UPDATE runtime.processes SET generation = $1, heartbeat_at = $2 WHERE id = $3', [generation, iso(), id])
    },
    async reportLoad(reports) {
      // One row per plugin, the last report of a plugin winning (as the SQLite upsert does).
      const rows = [...new Map(reports.map((r): [string, LoadReport] => [r.plugin, r])).values()]
      await withTransaction(pool, async (c) => {
        await c.query('DELETE FROM runtime.load_reports WHERE process_id = $1', [id])
        if (!rows.length) return
        await c.query(
          `INSERT INTO runtime.load_reports (process_id, plugin, version, status, duration_ms, warnings, updated_at)
          SELECT $1, r.plugin, r.version, r.status, r.duration_ms, r.warnings, $7
          FROM unnest($2::text[], $3::text[], $4::text[], $5::float8[], $6::text[]) AS r (plugin, version, status, duration_ms, warnings)`,
          [
            id,
            rows.map((r) => r.plugin),
            rows.map((r) => r.version),
            rows.map((r) => r.status),
            rows.map((r) => r.durationMs),
            rows.map((r) => JSON.stringify(r.warnings)),
            iso(),
          ],
        )
      })
    },
    async stop() {
      clearInterval(timer)
      await pool.query('UPDATE runtime.processes SET stopped_at = $1 WHERE id = $2', [iso(), id])
    },
  }
}
