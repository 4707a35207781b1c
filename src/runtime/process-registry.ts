import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { Db } from '../store/open-database.ts'
import type { Warning } from '../store/store-types.ts'
import { APP_VERSION } from '../version.ts'

export interface ProcessInfo {
  id: string
  role: string
  host: string
  pid: number
  version: string
  startedAt: string
  heartbeatAt: string
  stoppedAt: string | null
  generation: number | null
  live: boolean
}

export interface LoadReport {
  plugin: string
  version: string | null
  status: 'loaded' | 'failed' | 'skipped' | 'unloaded'
  durationMs: number | null
  warnings: Warning[]
}

/** A heartbeat older than this means the process is gone (crashed or killed). */
export const STALE_AFTER_MS = 15_000

/** Registers this process in runtime.db and keeps its heartbeat; returns the registry handle. */
export function registerProcess(db: Db, role: string, options: { heartbeatMs?: number } = {}) {
  const startedAt = new Date().toISOString()
  // Random suffix: two registrations in one process within the same millisecond must not collide.
  const id = `${hostname()}:${process.pid}:${startedAt}:${randomUUID().slice(0, 8)}`
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
    /** Replaces this process's load reports (one transaction: readers never see half a load). */
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

export type ProcessRegistration = ReturnType<typeof registerProcess>

/** Every process not marked stopped, with liveness from its heartbeat. */
export async function listProcesses(db: Db, options: { includeStopped?: boolean } = {}): Promise<ProcessInfo[]> {
  const rows = db
    .prepare(`SELECT * FROM processes ${options.includeStopped ? '' : 'WHERE stopped_at IS NULL'} ORDER BY started_at DESC LIMIT 500`)
    .all() as Array<Record<string, unknown>>
  const cutoff = Date.now() - STALE_AFTER_MS
  return rows.map((r) => ({
    id: r.id as string,
    role: r.role as string,
    host: r.host as string,
    pid: r.pid as number,
    version: r.version as string,
    startedAt: r.started_at as string,
    heartbeatAt: r.heartbeat_at as string,
    stoppedAt: (r.stopped_at as string | null) ?? null,
    generation: (r.generation as number | null) ?? null,
    live: r.stopped_at == null && Date.parse(r.heartbeat_at as string) >= cutoff,
  }))
}
