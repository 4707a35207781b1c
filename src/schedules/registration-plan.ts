import type { ScheduleData } from '../sdk/host-services.ts'
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

/** A plugin job's schedules row as the sync reads it. */
export interface PluginJobRow {
  id: number
  key: string
  schedule: string
  paused: number
}

/** The writes that make the schedules table follow a generation; each backend makes them in one transaction. */
export interface RegistrationPlan {
  add: Array<{ key: string; description: string; schedule: string; next: number; owner: string }>
  replace: Array<{ id: number; schedule: string; next: number }>
  resume: number[]
  /** Paused, and their pending runs cancelled with `why`. */
  pause: number[]
  why: string
  subscriptions: Array<{ plugin: string; hook: string }>
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
 * What following a generation changes, the same on every backend: a job registered anew is added, one with a
 * new schedule replaces the old one (and starts over), one whose plugin (or registration) left the generation
 * is paused (its pending runs cancelled) and resumes with its rhythm and last run when it comes back. The hook
 * subscriptions become the generation's.
 */
export function planRegistrations(generation: GenerationRegistrations | null, rows: PluginJobRow[], now: number): RegistrationPlan {
  const plan: RegistrationPlan = {
    add: [],
    replace: [],
    resume: [],
    pause: [],
    why: `not run: its plugin left generation ${generation?.id ?? '(none)'} (or stopped registering the job); the schedule is paused until it returns`,
    subscriptions: [],
  }
  const wanted = new Map<string, { plugin: string; id: string; schedule: string; data: ScheduleData }>()
  for (const plugin of generation?.plugins ?? []) {
    if (plugin.status === 'error') continue // published as failed: no role loads it
    const { jobs, hooks } = registrationsOf(plugin)
    for (const [id, data] of jobs)
      wanted.set(pluginJobType(plugin.name, id), { plugin: plugin.name, id, schedule: JSON.stringify(data), data })
    for (const hook of hooks) plan.subscriptions.push({ plugin: plugin.name, hook })
  }
  const existing = new Map(rows.map((r) => [r.key, r]))
  for (const [key, w] of wanted) {
    const row = existing.get(key)
    if (!row)
      plan.add.push({
        key,
        description: `job "${w.id}" of plugin ${w.plugin}`,
        schedule: w.schedule,
        next: firstRunAt(w.data, now),
        owner: w.plugin,
      })
    else if (row.schedule !== w.schedule) plan.replace.push({ id: row.id, schedule: w.schedule, next: firstRunAt(w.data, now) })
    else if (row.paused) plan.resume.push(row.id)
  }
  for (const [key, row] of existing) if (!wanted.has(key) && !row.paused) plan.pause.push(row.id)
  return plan
}
