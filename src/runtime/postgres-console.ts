import { type PgPool, withTransaction } from '../postgres/open-postgres.ts'
import type { AuditEntry } from './audit-log.ts'
import type { ConsoleStore } from './console-port.ts'
import { STALE_AFTER_MS } from './process-info.ts'
import { createPostgresPluginRequests } from './postgres-plugin-requests.ts'
import type { WarningAck } from './warning-acks.ts'

const ACK = `warning_id AS "warningId", plugin, code, note, acked_by AS "by", acked_at AS "at"`
const AUDIT = `id, at, actor, action, plugin, detail, outcome, message, request_id AS "requestId"`
// As on SQLite (sqlite-console.ts): run-time errors count up rows, so their total count changes with each one.
const CHANGE_TOKEN = `SELECT concat_ws('|',
    (SELECT count(*) || '/' || coalesce(max(updated_at), '') FROM runtime.load_reports),
    (SELECT count(*) || '/' || coalesce(sum(count), 0) FROM runtime.runtime_errors),
    (SELECT count(*) || '/' || coalesce(max(updated_at), '') FROM runtime.plugin_settings),
    (SELECT count(*) || '/' || coalesce(max(acked_at), '') FROM runtime.warning_acks),
    (SELECT coalesce(max(id), 0) || '/' || coalesce(max(finished_at), '') FROM runtime.plugin_requests),
    (SELECT coalesce(string_agg(id || '/' || coalesce(generation::text, '-') || '/' || (heartbeat_at >= $1)::text, ',' ORDER BY id), '')
      FROM runtime.processes WHERE stopped_at IS NULL)) AS token`

/** The console tables in the runtime schema on PostgreSQL; `pool` is the connection of the role acting (web, CLI or scheduler). */
export function createPostgresConsole(pool: PgPool): ConsoleStore {
  return {
    async changeToken(now = Date.now()) {
      const { rows } = await pool.query<{ token: string }>(CHANGE_TOKEN, [new Date(now - STALE_AFTER_MS).toISOString()])
      return rows[0]!.token
    },
    acks: {
      ack: (a) =>
        withTransaction(pool, async (tx) => {
          const at = new Date().toISOString()
          await tx.query(
            `INSERT INTO runtime.warning_acks (warning_id, plugin, code, note, acked_by, acked_at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (warning_id) DO UPDATE SET note = EXCLUDED.note, acked_by = EXCLUDED.acked_by, acked_at = EXCLUDED.acked_at`,
            [a.warningId, a.plugin, a.code, a.note, a.by, at],
          )
          await tx.query(
            `INSERT INTO runtime.audit_log (at, actor, action, plugin, detail, outcome) VALUES ($1, $2, 'ack', $3, $4, 'done')`,
            [at, a.by, a.plugin, `${a.code} (${a.warningId}): ${a.note}`],
          )
          return { ...a, at }
        }),
      async all() {
        const { rows } = await pool.query<WarningAck>(`SELECT ${ACK} FROM runtime.warning_acks`)
        return new Map(rows.map((r) => [r.warningId, r]))
      },
    },
    requests: createPostgresPluginRequests(pool),
    audit: {
      async record(e) {
        const { rows } = await pool.query<{ id: number }>(
          `INSERT INTO runtime.audit_log (at, actor, action, plugin, detail, outcome, message, request_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
          [
            new Date().toISOString(),
            e.actor,
            e.action,
            e.plugin ?? null,
            e.detail ?? null,
            e.outcome,
            e.message ?? null,
            e.requestId ?? null,
          ],
        )
        return rows[0]!.id
      },
      async list(options = {}) {
        const plugin = options.plugin || null // as on SQLite: an empty name narrows nothing
        const where = 'WHERE $1::text IS NULL OR plugin = $1'
        const [count, page] = await Promise.all([
          pool.query<{ total: number }>(`SELECT count(*) AS total FROM runtime.audit_log ${where}`, [plugin]),
          pool.query<AuditEntry>(`SELECT ${AUDIT} FROM runtime.audit_log ${where} ORDER BY id DESC LIMIT $2 OFFSET $3`, [
            plugin,
            options.limit ?? 100,
            options.offset ?? 0,
          ]),
        ])
        return { total: count.rows[0]!.total, entries: page.rows }
      },
    },
  }
}
