import { Cron } from 'croner'
import type { Bot, ScheduleData } from '../sdk/host-services.ts'

/** The scheduler ticks once a second, so a shorter interval could not be kept. */
export const MIN_INTERVAL_MS = 1000

/** Checks plain data from a plugin or a file; throws an Error naming `where`, what was expected and what was found. */
export function checkScheduleData(data: unknown, where: string): ScheduleData {
  const found = JSON.stringify(data)?.slice(0, 120) ?? String(data)
  const fail = (expected: string) =>
    new Error(
      `${where}: expected ${expected}; found ${found}. Build it with Schedule.once(date), Schedule.interval(ms) or Schedule.cron(expr).`,
    )
  if (typeof data !== 'object' || data === null) throw fail('a schedule object')
  const s = data as Record<string, unknown>
  if (s.kind === 'once') {
    if (typeof s.at !== 'string' || Number.isNaN(Date.parse(s.at))) throw fail('{kind: "once", at: <ISO date>}')
    return { kind: 'once', at: new Date(s.at).toISOString() }
  }
  if (s.kind === 'interval') {
    if (typeof s.everyMs !== 'number' || !Number.isFinite(s.everyMs) || s.everyMs < MIN_INTERVAL_MS)
      throw fail(`{kind: "interval", everyMs: <number >= ${MIN_INTERVAL_MS}>}`)
    if (s.startAt !== undefined && (typeof s.startAt !== 'string' || Number.isNaN(Date.parse(s.startAt))))
      throw fail('startAt to be an ISO date')
    return s.startAt === undefined
      ? { kind: 'interval', everyMs: s.everyMs }
      : { kind: 'interval', everyMs: s.everyMs, startAt: new Date(s.startAt as string).toISOString() }
  }
  if (s.kind === 'cron') {
    if (typeof s.expr !== 'string') throw fail('{kind: "cron", expr: "<cron expression>"}')
    if (s.timezone !== undefined && typeof s.timezone !== 'string')
      throw fail('timezone to be an IANA name such as "UTC" or "Europe/Berlin"')
    checkCron(s.expr, s.timezone as string | undefined, where)
    return s.timezone === undefined ? { kind: 'cron', expr: s.expr } : { kind: 'cron', expr: s.expr, timezone: s.timezone as string }
  }
  throw fail('kind "once", "interval" or "cron"')
}

/** Throws a clear error for a bad cron expression or time zone (croner parses both). */
export function checkCron(expr: string, timezone: string | undefined, where: string): void {
  try {
    new Cron(expr, { timezone, paused: true }).nextRun()
  } catch (cause) {
    throw new Error(
      `${where}: invalid cron schedule "${expr}"${timezone ? ` in time zone "${timezone}"` : ''}: ${(cause as Error).message}`,
      { cause },
    )
  }
}

/** A bot's schedule as the recurring ScheduleData the scheduler fires, or null when it runs only on demand. */
export function botSchedule(bot: Pick<Bot, 'schedule'>): ScheduleData | null {
  const s = bot.schedule
  if (!s) return null
  return 'intervalSeconds' in s
    ? { kind: 'interval', everyMs: s.intervalSeconds * 1000 }
    : { kind: 'cron', expr: s.cron, timezone: s.timezone }
}

/** When a new recurring schedule first fires. */
export function firstRunAt(s: ScheduleData, now: number): number {
  if (s.kind === 'once') return Date.parse(s.at)
  if (s.kind === 'interval') return s.startAt ? Date.parse(s.startAt) : now + s.everyMs
  return cronNext(s, now)
}

/**
 * The next run after one fired at `prev`. Missed runs (scheduler down) are not
 * replayed one by one: the schedule fires once, then resumes its rhythm.
 */
export function nextRunAt(s: ScheduleData, prev: number, now: number): number | null {
  if (s.kind === 'once') return null
  if (s.kind === 'interval') return prev + s.everyMs * Math.max(1, Math.ceil((now - prev + 1) / s.everyMs))
  return cronNext(s, Math.max(prev, now))
}

function cronNext(s: { expr: string; timezone?: string }, after: number): number {
  const next = new Cron(s.expr, { timezone: s.timezone, paused: true }).nextRun(new Date(after))
  // A pattern with no future match (a date in the past) never fires again.
  return next ? next.getTime() : Number.MAX_SAFE_INTEGER
}
