import type { Db } from '../store/open-database.ts'

/** One operator action as the audit list keeps it: who, when, what, and how it ended. */
export interface AuditEntry {
  id: number
  at: string
  actor: string
  /** 'disable', 'enable', 'rollback', 'ack', 'settings', 'event.retry', 'event.cancel'. */
  action: string
  plugin: string | null
  detail: string | null
  outcome: 'pending' | 'done' | 'failed'
  message: string | null
  requestId: number | null
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at' | 'requestId' | 'message' | 'detail' | 'plugin'> &
  Partial<Pick<AuditEntry, 'requestId' | 'message' | 'detail' | 'plugin'>>

/** Appends an action to the audit list (runtime.db, table audit_log); callers write it in the transaction of the action itself. */
export function recordAudit(db: Db, e: NewAuditEntry, at = new Date().toISOString()): number {
  return db
    .prepare(
      `INSERT INTO audit_log (at, actor, action, plugin, detail, outcome, message, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
    .pluck()
    .get(at, e.actor, e.action, e.plugin ?? null, e.detail ?? null, e.outcome, e.message ?? null, e.requestId ?? null) as number
}

/** The newest actions first; `plugin` narrows to one plugin's. */
export function listAudit(
  db: Db,
  options: { limit?: number; offset?: number; plugin?: string } = {},
): { total: number; entries: AuditEntry[] } {
  const where = options.plugin ? 'WHERE plugin = ?' : ''
  const params = options.plugin ? [options.plugin] : []
  const total = db
    .prepare(`SELECT count(*) FROM audit_log ${where}`)
    .pluck()
    .get(...params) as number
  const rows = db
    .prepare(`SELECT * FROM audit_log ${where} ORDER BY id DESC LIMIT ? OFFSET ?`)
    .all(...params, options.limit ?? 100, options.offset ?? 0) as Array<Record<string, unknown>>
  return {
    total,
    entries: rows.map((r) => ({
      id: r.id as number,
      at: r.at as string,
      actor: r.actor as string,
      action: r.action as string,
      plugin: (r.plugin as string | null) ?? null,
      detail: (r.detail as string | null) ?? null,
      outcome: r.outcome as AuditEntry['outcome'],
      message: (r.message as string | null) ?? null,
      requestId: (r.request_id as number | null) ?? null,
    })),
  }
}
