import { createPostgresHookSubscriptions } from '../hooks/postgres-hook-subscriptions.ts'
import { type PgPool, withTransaction } from '../postgres/open-postgres.ts'
import { type GenerationRegistrations, type PluginJobRow, planRegistrations, type RegistrationSyncResult } from './registration-plan.ts'

const ROWS = `SELECT id, key, schedule, paused FROM runtime.schedules WHERE left(key, 8) = 'app.job:' FOR UPDATE`
const ADD = `INSERT INTO runtime.schedules (key, event_type, description, schedule, next_run_at, owner, created_at, paused)
  SELECT a.key, a.key, a.description, a.schedule, a.next, a.owner, $6, 0
  FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[]) AS a (key, description, schedule, next, owner)
  ON CONFLICT (key) DO NOTHING`
const REPLACE = `UPDATE runtime.schedules s SET schedule = r.schedule, next_run_at = r.next, paused = 0
  FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS r (id, schedule, next) WHERE s.id = r.id`
const SET_PAUSED = 'UPDATE runtime.schedules SET paused = $2 WHERE id = ANY($1::bigint[])'
const CANCEL_RUNS = `UPDATE runtime.jobs SET status = 'cancelled', finished_at = $2, last_error = $3, lease_owner = NULL, lease_expires_at = NULL
  WHERE schedule_id = ANY($1::bigint[]) AND status IN ('pending', 'orphaned')`

/**
 * Makes the runtime schema follow a generation's plugin jobs and hook subscriptions, on the scheduler's connection,
 * in one transaction: as sync-plugin-registrations.ts, with the changes of planRegistrations written a batch at a time.
 */
export function createPostgresRegistrationSync(pool: PgPool) {
  return (generation: GenerationRegistrations | null): Promise<RegistrationSyncResult> =>
    withTransaction(pool, async (c) => {
      const now = Date.now()
      const plan = planRegistrations(generation, (await c.query<PluginJobRow>(ROWS)).rows, now)
      const { add, replace } = plan
      if (add.length)
        await c.query(ADD, [
          add.map((a) => a.key),
          add.map((a) => a.description),
          add.map((a) => a.schedule),
          add.map((a) => a.next),
          add.map((a) => a.owner),
          now,
        ])
      if (replace.length) await c.query(REPLACE, [replace.map((r) => r.id), replace.map((r) => r.schedule), replace.map((r) => r.next)])
      if (plan.resume.length) await c.query(SET_PAUSED, [plan.resume, 0])
      let cancelledRuns = 0
      if (plan.pause.length) {
        await c.query(SET_PAUSED, [plan.pause, 1])
        cancelledRuns = (await c.query(CANCEL_RUNS, [plan.pause, now, plan.why])).rowCount ?? 0
      }
      await createPostgresHookSubscriptions(c).replace(plan.subscriptions)
      return {
        added: add.length,
        replaced: replace.length,
        resumed: plan.resume.length,
        paused: plan.pause.length,
        cancelledRuns,
        hooks: plan.subscriptions.length,
      }
    })
}
