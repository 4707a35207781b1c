import { createSubscriptionWriter } from '../hooks/hook-subscriptions.ts'
import type { Db } from '../store/open-database.ts'
import { type GenerationRegistrations, type PluginJobRow, planRegistrations, type RegistrationSyncResult } from './registration-plan.ts'

export type { GenerationRegistrations, RegistrationSyncResult } from './registration-plan.ts'

/**
 * Makes runtime.db follow a generation's plugin jobs and hook subscriptions (the scheduler, whenever the
 * current generation changes, in one transaction): written once, here, however many processes load the
 * plugins. What changes is planRegistrations' (registration-plan.ts).
 */
export function createRegistrationSync(db: Db) {
  const q = {
    rows: db.prepare(`SELECT id, key, schedule, paused FROM schedules WHERE substr(key, 1, 8) = 'app.job:'`),
    insert: db.prepare(`INSERT INTO schedules (key, event_type, description, schedule, next_run_at, owner, created_at, paused)
      VALUES (@key, @key, @description, @schedule, @next, @owner, @now, 0)`),
    replace: db.prepare('UPDATE schedules SET schedule = @schedule, next_run_at = @next, paused = 0 WHERE id = @id'),
    resume: db.prepare('UPDATE schedules SET paused = 0 WHERE id = ?'),
    pause: db.prepare('UPDATE schedules SET paused = 1 WHERE id = ?'),
    cancelRuns:
      db.prepare(`UPDATE jobs SET status = 'cancelled', finished_at = @now, last_error = @why, lease_owner = NULL, lease_expires_at = NULL
      WHERE schedule_id = @id AND status IN ('pending', 'orphaned')`),
  }
  const writeSubscriptions = createSubscriptionWriter(db)

  return db.transaction((generation: GenerationRegistrations | null): RegistrationSyncResult => {
    const now = Date.now()
    const plan = planRegistrations(generation, q.rows.all() as PluginJobRow[], now)
    let cancelledRuns = 0
    for (const a of plan.add) q.insert.run({ ...a, now })
    for (const r of plan.replace) q.replace.run(r)
    for (const id of plan.resume) q.resume.run(id)
    for (const id of plan.pause) {
      q.pause.run(id)
      cancelledRuns += q.cancelRuns.run({ id, now, why: plan.why }).changes
    }
    writeSubscriptions(plan.subscriptions)
    return {
      added: plan.add.length,
      replaced: plan.replace.length,
      resumed: plan.resume.length,
      paused: plan.pause.length,
      cancelledRuns,
      hooks: plan.subscriptions.length,
    }
  })
}
