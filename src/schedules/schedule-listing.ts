import type { ScheduleData } from '../sdk/host-services.ts'
import { parsePluginJobType } from './plugin-job-type.ts'

/** One recurring schedule as `app events list --schedules` shows it. */
export interface ScheduleListing {
  /** The plugin whose job it is, the bot's name for a bot schedule, or the plugin that scheduled a bot event. */
  plugin: string | null
  /** The job id (jobs.schedule), the bot name, or the event type. */
  id: string
  kind: 'job' | 'bot' | 'event'
  eventType: string
  schedule: ScheduleData
  /** null: paused (its plugin left the generation) or a once-job that ran. */
  nextRunAt: string | null
  lastRunAt: string | null
  active: boolean
}

/** The columns of the schedules table a listing reads (the same in runtime.db and PostgreSQL). */
export const LISTED_COLUMNS = 'id, key, event_type, bot, owner, schedule, next_run_at, last_run_at, paused'

export interface ListedRow {
  id: number
  key: string
  event_type: string
  bot: string | null
  owner: string | null
  schedule: string
  next_run_at: number
  last_run_at: number | null
  paused: number
}

const iso = (ms: number | null) => (ms === null || ms >= Number.MAX_SAFE_INTEGER ? null : new Date(ms).toISOString())

/** Rows as listings: plugin jobs first (by plugin and id), then bot schedules and scheduled bot events. */
export function toScheduleListings(rows: ListedRow[]): ScheduleListing[] {
  const out = rows.map((r): ScheduleListing => {
    const job = parsePluginJobType(r.key)
    const kind = job ? 'job' : r.key.startsWith('bot:') ? 'bot' : 'event'
    return {
      plugin: job?.plugin ?? (kind === 'bot' ? null : r.owner),
      id: job?.id ?? (kind === 'bot' ? (r.bot ?? r.key.slice(4)) : r.event_type),
      kind,
      eventType: r.event_type,
      schedule: JSON.parse(r.schedule) as ScheduleData,
      nextRunAt: r.paused ? null : iso(r.next_run_at),
      lastRunAt: iso(r.last_run_at),
      active: r.paused === 0,
    }
  })
  const rank = { job: 0, bot: 1, event: 2 }
  return out.sort((a, b) => rank[a.kind] - rank[b.kind] || (a.plugin ?? '').localeCompare(b.plugin ?? '') || a.id.localeCompare(b.id))
}

/** A schedule in a few words: "every 2m", "cron 0 * * * * (UTC)", "once at ...". */
export function describeSchedule(s: ScheduleData): string {
  if (s.kind === 'once') return `once at ${s.at}`
  if (s.kind === 'cron') return `cron ${s.expr}${s.timezone ? ` (${s.timezone})` : ''}`
  const ms = s.everyMs
  const every =
    ms % 86_400_000 === 0
      ? `${ms / 86_400_000}d`
      : ms % 3_600_000 === 0
        ? `${ms / 3_600_000}h`
        : ms % 60_000 === 0
          ? `${ms / 60_000}m`
          : ms % 1000 === 0
            ? `${ms / 1000}s`
            : `${ms}ms`
  return `every ${every}${s.startAt ? ` from ${s.startAt}` : ''}`
}
