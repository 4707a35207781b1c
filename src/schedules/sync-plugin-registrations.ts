import { createSubscriptionWriter } from '../hooks/hook-subscriptions.ts'
import type { ScheduleData } from '../sdk/host-services.ts'
import type { Db } from '../store/open-database.ts'
import { pluginJobType } from './plugin-job-type.ts'
import { checkScheduleData, firstRunAt } from './schedule-data.ts'

/** What the sync needs of a generation: each plugin's status and what its dry run recorded it registered. */
export interface GenerationRegistrations {
  id: number
  plugins: Array<{ name: string; status: string; registered: Record<string, unknown> | null }>
}

export interface RegistrationSyncResult {
  added: number
  replaced: number
  resumed: number
  paused: number
  cancelledRuns: number
  hooks: number
}

/** The jobs and hooks a plugin's dry run recorded; entries of the wrong shape are skipped. */
function registrationsOf(plugin: { name: string; registered: Record<string, unknown> | null }) {
  const jobs = new Map<string, ScheduleData>()
  for (const j of Array.isArray(plugin.registered?.jobs) ? plugin.registered.jobs : []) {
    const { id, schedule } = (j ?? {}) as { id?: unknown; schedule?: unknown }
    if (typeof id !== 'string') continue
    try {
      jobs.set(id, checkScheduleData(schedule, `plugin ${plugin.name} job ${id}`))
    } catch {
      /* checked when registered; a hand-edited store is not trusted */
    }
  }
  const hooks = (Array.isArray(plugin.registered?.hooks) ? plugin.registered.hooks : []).filter((h): h is string => typeof h === 'string')
  return { jobs, hooks }
}

/**
 * Makes runtime.db follow a generation's plugin jobs and hook subscriptions (the scheduler, whenever the
 * current generation changes, in one transaction): written once, here, however many processes load the
 * plugins. A job registered with a new schedule replaces the old one (and starts over); one whose plugin
 * (or registration) left the generation is paused, its pending runs cancelled, and resumes with its
 * rhythm and last run when it comes back. Hook subscriptions are replaced by the generation's.
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
    const result: RegistrationSyncResult = { added: 0, replaced: 0, resumed: 0, paused: 0, cancelledRuns: 0, hooks: 0 }
    const wanted = new Map<string, { plugin: string; id: string; schedule: string; data: ScheduleData }>()
    const subscriptions: Array<{ plugin: string; hook: string }> = []
    for (const plugin of generation?.plugins ?? []) {
      if (plugin.status === 'error') continue // published as failed: no role loads it
      const { jobs, hooks } = registrationsOf(plugin)
      for (const [id, data] of jobs)
        wanted.set(pluginJobType(plugin.name, id), { plugin: plugin.name, id, schedule: JSON.stringify(data), data })
      for (const hook of hooks) subscriptions.push({ plugin: plugin.name, hook })
    }
    const existing = new Map((q.rows.all() as Array<{ id: number; key: string; schedule: string; paused: number }>).map((r) => [r.key, r]))
    for (const [key, w] of wanted) {
      const row = existing.get(key)
      if (!row) {
        q.insert.run({
          key,
          description: `job "${w.id}" of plugin ${w.plugin}`,
          schedule: w.schedule,
          next: firstRunAt(w.data, now),
          owner: w.plugin,
          now,
        })
        result.added++
      } else if (row.schedule !== w.schedule) {
        q.replace.run({ id: row.id, schedule: w.schedule, next: firstRunAt(w.data, now) })
        result.replaced++
      } else if (row.paused) {
        q.resume.run(row.id)
        result.resumed++
      }
    }
    for (const [key, row] of existing) {
      if (wanted.has(key) || row.paused) continue
      q.pause.run(row.id)
      result.paused++
      result.cancelledRuns += q.cancelRuns.run({
        id: row.id,
        now,
        why: `not run: its plugin left generation ${generation?.id ?? '(none)'} (or stopped registering the job); the schedule is paused until it returns`,
      }).changes
    }
    writeSubscriptions(subscriptions)
    result.hooks = subscriptions.length
    return result
  })
}
