import { type PgClient, type PgPool, withTransaction } from '../postgres/open-postgres.ts'
import type { PluginRequests, RequestOutcome } from './console-port.ts'
import type { PluginRequest } from './plugin-requests.ts'

/** The columns as a PluginRequest names them. */
const REQUEST = `id, plugin, action, version, requested_by AS "requestedBy", requested_at AS "requestedAt", status, message,
  generation, finished_at AS "finishedAt"`

/**
 * runtime.plugin_requests on PostgreSQL. The web role (and the CLI) request; the scheduler applies, holding
 * each request's row lock (FOR UPDATE SKIP LOCKED) from its claim to the commit of its outcome, so a racing
 * pass skips it and finds it no longer pending afterwards.
 */
export function createPostgresPluginRequests(pool: PgPool): PluginRequests {
  const rows = async (sql: string, params: unknown[] = []) => (await pool.query<PluginRequest>(sql, params)).rows
  return {
    request: (r) =>
      withTransaction(pool, async (tx) => {
        const now = new Date().toISOString()
        const { rows: made } = await tx.query<PluginRequest>(
          `INSERT INTO runtime.plugin_requests (plugin, action, version, requested_by, requested_at) VALUES ($1, $2, $3, $4, $5)
             RETURNING ${REQUEST}`,
          [r.plugin, r.action, r.version ?? null, r.by, now],
        )
        const request = made[0]!
        await tx.query(
          `INSERT INTO runtime.audit_log (at, actor, action, plugin, detail, outcome, request_id) VALUES ($1, $2, $3, $4, $5, 'pending', $6)`,
          [now, r.by, r.action, r.plugin, r.version ? `version ${r.version}` : null, request.id],
        )
        return request
      }),
    get: async (id) => (await rows(`SELECT ${REQUEST} FROM runtime.plugin_requests WHERE id = $1`, [id]))[0] ?? null,
    pending: () => rows(`SELECT ${REQUEST} FROM runtime.plugin_requests WHERE status = 'pending' ORDER BY id`),
    hasPending: async () => (await pool.query(`SELECT 1 FROM runtime.plugin_requests WHERE status = 'pending' LIMIT 1`)).rowCount! > 0,
    forPlugin: (plugin, limit = 5) =>
      rows(`SELECT ${REQUEST} FROM runtime.plugin_requests WHERE plugin = $1 ORDER BY id DESC LIMIT $2`, [plugin, limit]),
    async applyPending(apply) {
      const finished: PluginRequest[] = []
      let after = 0
      for (;;) {
        const step = await withTransaction(pool, async (tx) => {
          const { rows: claimed } = await tx.query<PluginRequest>(
            `SELECT ${REQUEST} FROM runtime.plugin_requests WHERE status = 'pending' AND id > $1 ORDER BY id LIMIT 1
               FOR UPDATE SKIP LOCKED`,
            [after],
          )
          const request = claimed[0]
          if (!request) return 'none'
          after = request.id
          const outcome = await apply(request)
          return outcome ? finish(tx, request.id, outcome) : 'kept'
        })
        if (step === 'none') return finished
        if (step !== 'kept') finished.push(step)
      }
    },
  }
}

/** The outcome on the request and on its audit entry. */
async function finish(tx: PgClient, id: number, outcome: NonNullable<RequestOutcome>): Promise<PluginRequest> {
  const { rows } = await tx.query<PluginRequest>(
    `UPDATE runtime.plugin_requests SET status = $2, message = $3, generation = $4, finished_at = $5 WHERE id = $1 RETURNING ${REQUEST}`,
    [id, outcome.status, outcome.message, outcome.generation ?? null, new Date().toISOString()],
  )
  await tx.query('UPDATE runtime.audit_log SET outcome = $2, message = $3 WHERE request_id = $1', [id, outcome.status, outcome.message])
  return rows[0]!
}
