import type { Db } from '../store/open-database.ts'
import { recordAudit } from './audit-log.ts'

export const PLUGIN_ACTIONS = ['disable', 'enable', 'rollback'] as const
export type PluginAction = (typeof PLUGIN_ACTIONS)[number]

/** An operator's request to change the plugin set: written by the web role or the CLI, applied by the scheduler. */
export interface PluginRequest {
  id: number
  plugin: string
  action: PluginAction
  /** rollback: the version to publish. */
  version: string | null
  requestedBy: string
  requestedAt: string
  status: 'pending' | 'done' | 'failed'
  message: string | null
  generation: number | null
  finishedAt: string | null
}

const toRequest = (r: Record<string, unknown>): PluginRequest => ({
  id: r.id as number,
  plugin: r.plugin as string,
  action: r.action as PluginAction,
  version: (r.version as string | null) ?? null,
  requestedBy: r.requested_by as string,
  requestedAt: r.requested_at as string,
  status: r.status as PluginRequest['status'],
  message: (r.message as string | null) ?? null,
  generation: (r.generation as number | null) ?? null,
  finishedAt: (r.finished_at as string | null) ?? null,
})

/**
 * Queues a disable, enable or rollback for the scheduler (runtime.db, table
 * plugin_requests) and opens its audit entry, in one transaction. Neither the
 * web role nor the CLI touches plugins.db: the scheduler, its only writer,
 * applies the request as a new generation and records the outcome.
 */
export function requestPluginAction(
  db: Db,
  r: { plugin: string; action: PluginAction; version?: string | null; by: string },
): PluginRequest {
  return db
    .transaction(() => {
      const now = new Date().toISOString()
      const row = db
        .prepare(`INSERT INTO plugin_requests (plugin, action, version, requested_by, requested_at) VALUES (?, ?, ?, ?, ?) RETURNING *`)
        .get(r.plugin, r.action, r.version ?? null, r.by, now) as Record<string, unknown>
      recordAudit(
        db,
        {
          actor: r.by,
          action: r.action,
          plugin: r.plugin,
          detail: r.version ? `version ${r.version}` : null,
          outcome: 'pending',
          requestId: row.id as number,
        },
        now,
      )
      return toRequest(row)
    })
    .immediate()
}

/** Requests not applied yet, oldest first. */
export function pendingPluginRequests(db: Db): PluginRequest[] {
  return (db.prepare(`SELECT * FROM plugin_requests WHERE status = 'pending' ORDER BY id`).all() as Array<Record<string, unknown>>).map(
    toRequest,
  )
}

/** Cheap enough to poll every half second: one indexed lookup. */
export function hasPendingPluginRequests(db: Db): boolean {
  return db.prepare(`SELECT 1 FROM plugin_requests WHERE status = 'pending' LIMIT 1`).get() !== undefined
}

/** The scheduler's verdict on a request, copied onto its audit entry. */
export function finishPluginRequest(
  db: Db,
  id: number,
  outcome: { status: 'done' | 'failed'; message: string; generation?: number | null },
): void {
  db.transaction(() => {
    const now = new Date().toISOString()
    db.prepare(`UPDATE plugin_requests SET status = ?, message = ?, generation = ?, finished_at = ? WHERE id = ?`).run(
      outcome.status,
      outcome.message,
      outcome.generation ?? null,
      now,
      id,
    )
    db.prepare(`UPDATE audit_log SET outcome = ?, message = ? WHERE request_id = ?`).run(outcome.status, outcome.message, id)
  }).immediate()
}

export function pluginRequest(db: Db, id: number): PluginRequest | null {
  const row = db.prepare('SELECT * FROM plugin_requests WHERE id = ?').get(id) as Record<string, unknown> | undefined
  return row ? toRequest(row) : null
}

/** One plugin's latest requests, newest first (the Manage Plugin page shows them with their state). */
export function pluginRequestsFor(db: Db, plugin: string, limit = 5): PluginRequest[] {
  return (
    db.prepare('SELECT * FROM plugin_requests WHERE plugin = ? ORDER BY id DESC LIMIT ?').all(plugin, limit) as Array<
      Record<string, unknown>
    >
  ).map(toRequest)
}

/** Every plugin with a request still pending (the landing page marks them). */
export function pendingPluginNames(db: Db): Map<string, PluginRequest> {
  return new Map(pendingPluginRequests(db).map((r) => [r.plugin, r]))
}
