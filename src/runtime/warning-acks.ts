import type { Db } from '../store/open-database.ts'
import { recordAudit } from './audit-log.ts'

/** An operator's acknowledgement of one warning: who, when, and why it can wait. */
export interface WarningAck {
  warningId: string
  plugin: string | null
  code: string
  note: string
  by: string
  at: string
}

/**
 * Records (or replaces) the acknowledgement of a warning, with its audit
 * entry. The warning leaves the open list until it is seen again after `at`.
 */
export function ackWarning(db: Db, a: Omit<WarningAck, 'at'>): WarningAck {
  const at = new Date().toISOString()
  db.transaction(() => {
    db.prepare(`INSERT INTO warning_acks (warning_id, plugin, code, note, acked_by, acked_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (warning_id) DO UPDATE SET note = excluded.note, acked_by = excluded.acked_by, acked_at = excluded.acked_at`).run(
      a.warningId,
      a.plugin,
      a.code,
      a.note,
      a.by,
      at,
    )
    recordAudit(db, { actor: a.by, action: 'ack', plugin: a.plugin, detail: `${a.code} (${a.warningId}): ${a.note}`, outcome: 'done' }, at)
  }).immediate()
  return { ...a, at }
}

/** Every acknowledgement, by warning id. */
export function readWarningAcks(db: Db): Map<string, WarningAck> {
  const rows = db.prepare('SELECT * FROM warning_acks').all() as Array<Record<string, string | null>>
  return new Map(
    rows.map((r) => [
      r.warning_id!,
      { warningId: r.warning_id!, plugin: r.plugin ?? null, code: r.code!, note: r.note!, by: r.acked_by!, at: r.acked_at! },
    ]),
  )
}
