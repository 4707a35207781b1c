import { hostname } from 'node:os'
import type { Db } from '../store/open-database.ts'
import { APP_VERSION } from '../version.ts'
import { type LoadReport, newProcessId, type ProcessRow, toLoadReport, toProcessInfo, type ProcessInfo } from './process-info.ts'
import type { ProcessRegistration, ProcessRegistryPort } from './process-registry-port.ts'

export { type LoadReport, type ProcessInfo, STALE_AFTER_MS, type StoredLoadReport } from './process-info.ts'
export type { ProcessRegistration } from './process-registry-port.ts'

/** Registers this process in runtime.db and keeps its heartbeat; returns the registry handle. */
export function registerProcess(db: Db, role: string, options: { heartbeatMs?: number } = {}): ProcessRegistration {
  const startedAt = new Date().toISOString()
  const id = newProcessId(startedAt)
  db.prepare(`INSERT INTO processes (id, role, host, pid, version, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?)`).run(
    id,
    role,
    hostname(),
    process.pid,
    APP_VERSION,
    startedAt,
    startedAt,
  )
  const beat = db.prepare('UPDATE processes SET heartbeat_at = ? WHERE id = ?')
  const setGeneration = db.prepare('UPDATE processes SET generation = ?, heartbeat_at = ? WHERE id = ?')
  const upsertReport = db.prepare(`INSERT INTO load_reports (process_id, plugin, version, status, duration_ms, warnings, updated_at)
    VALUES (@id, @plugin, @version, @status, @durationMs, @warnings, @now)
    ON CONFLICT (process_id, plugin) DO UPDATE SET version = excluded.version, status = excluded.status,
      duration_ms = excluded.duration_ms, warnings = excluded.warnings, updated_at = excluded.updated_at`)
  const timer = setInterval(() => {
    try {
      beat.run(new Date().toISOString(), id)
    } catch {
      /* busy: next beat */
    }
  }, options.heartbeatMs ?? 5000)
  timer.unref()
  return {
    id,
    async setGeneration(generation: number | null) {
      setGeneration.run(generation, new Date().toISOString(), id)
    },
    async reportLoad(reports: LoadReport[]) {
      const now = new Date().toISOString()
      db.transaction(() => {
        db.prepare('DELETE FROM load_reports WHERE process_id = ?').run(id)
        for (const r of reports)
          upsertReport.run({
            id,
            plugin: r.plugin,
            version: r.version,
            status: r.status,
            durationMs: r.durationMs,
            warnings: JSON.stringify(r.warnings),
            now,
          })
      }).immediate()
    },
    async stop() {
      clearInterval(timer)
      db.prepare('UPDATE processes SET stopped_at = ? WHERE id = ?').run(new Date().toISOString(), id)
    },
  }
}

/** Every process not marked stopped, with liveness from its heartbeat (as of `now`). */
export async function listProcesses(db: Db, options: { includeStopped?: boolean; now?: number } = {}): Promise<ProcessInfo[]> {
  const rows = db
    .prepare(`SELECT * FROM processes ${options.includeStopped ? '' : 'WHERE stopped_at IS NULL'} ORDER BY started_at DESC LIMIT 500`)
    .all() as ProcessRow[]
  const now = options.now ?? Date.now()
  return rows.map((r) => toProcessInfo(r, now))
}

/** The same registry behind the async port; today's callers keep the functions above. */
export function createSqliteProcessRegistry(db: Db): ProcessRegistryPort {
  return {
    register: async (role, options) => registerProcess(db, role, options),
    list: (options) => listProcesses(db, options),
    async loadReports(plugin) {
      const rows = plugin
        ? db.prepare('SELECT * FROM load_reports WHERE plugin = ? ORDER BY process_id, plugin').all(plugin)
        : db.prepare('SELECT * FROM load_reports ORDER BY process_id, plugin').all()
      return (rows as ProcessRow[]).map(toLoadReport)
    },
    async prune(before) {
      // ISO times compare as text; load_reports go with their process (ON DELETE CASCADE).
      return db.prepare('DELETE FROM processes WHERE coalesce(stopped_at, heartbeat_at) < ?').run(before.toISOString()).changes
    },
  }
}
