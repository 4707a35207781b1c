import { Cron } from 'croner'
import type { ScheduleData } from './host-services.ts'

const UNITS_MS = { days: 86_400_000, hours: 3_600_000, minutes: 60_000, seconds: 1000, ms: 1 } as const
export type IntervalSpec = number | Partial<Record<keyof typeof UNITS_MS, number>>

const fail = (what: string, expected: string, found: unknown) =>
  new TypeError(`${what}: expected ${expected}; found ${JSON.stringify(found) ?? String(found)}`)

/** Schedule.once / interval / cron: plain data (ScheduleData) that crosses threads and goes into runtime.db. */
export const Schedule = Object.freeze({
  /** One run at `date` (a Date, an ISO string or ms since the epoch). */
  once(date: Date | string | number): ScheduleData {
    const at = new Date(date as string)
    if (Number.isNaN(at.getTime())) throw fail('Schedule.once(date)', 'a Date, an ISO date string or ms since the epoch', date)
    return { kind: 'once', at: at.toISOString() }
  },
  /** Every `ms` milliseconds, or every {days, hours, minutes, seconds, ms}; optionally first at `startAt`. */
  interval(every: IntervalSpec, options: { startAt?: Date | string | number } = {}): ScheduleData {
    let everyMs: number
    if (typeof every === 'number') everyMs = every
    else if (every && typeof every === 'object') {
      const unknown = Object.keys(every).filter((k) => !(k in UNITS_MS))
      if (unknown.length) throw fail('Schedule.interval(every)', `only the keys ${Object.keys(UNITS_MS).join(', ')}`, every)
      everyMs = Object.entries(every).reduce((sum, [k, v]) => sum + Number(v) * UNITS_MS[k as keyof typeof UNITS_MS], 0)
    } else throw fail('Schedule.interval(every)', 'milliseconds or {hours, minutes, ...}', every)
    if (!Number.isFinite(everyMs) || everyMs < 1000)
      throw fail('Schedule.interval(every)', 'at least 1000 ms (the scheduler ticks once a second)', every)
    if (options.startAt === undefined) return { kind: 'interval', everyMs }
    const startAt = new Date(options.startAt as string)
    if (Number.isNaN(startAt.getTime())) throw fail('Schedule.interval(every, {startAt})', 'a Date or an ISO date string', options.startAt)
    return { kind: 'interval', everyMs, startAt: startAt.toISOString() }
  },
  /** A cron expression (5 or 6 fields, croner syntax) in `timezone` (IANA name; default the host's). */
  cron(expr: string, options: { timezone?: string } = {}): ScheduleData {
    if (typeof expr !== 'string' || !expr.trim()) throw fail('Schedule.cron(expr)', 'a cron expression such as "0 * * * *"', expr)
    try {
      new Cron(expr, { timezone: options.timezone, paused: true }).nextRun()
    } catch (cause) {
      throw new TypeError(
        `Schedule.cron: invalid cron schedule "${expr}"${options.timezone ? ` in time zone "${options.timezone}"` : ''}: ${(cause as Error).message}`,
        { cause },
      )
    }
    return options.timezone === undefined ? { kind: 'cron', expr } : { kind: 'cron', expr, timezone: options.timezone }
  },
})
