import { z } from 'zod'
import type { Bot } from '../sdk/host-services.ts'
import { BOT_RUN } from '../queue/job-types.ts'
import type { RegisteredIds } from './registered-ids.ts'
import { rowIssues, type RowIssue } from '../resources/row-issues.ts'
import { botSchedule, checkCron, firstRunAt } from '../schedules/schedule-data.ts'
import type { NewSchedule } from '../schedules/schedule-writer.ts'
import { checkBotSettings, type BotProblem } from './check-bot-settings.ts'

const settings = z.record(z.string(), z.unknown()).default({})
export const botSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'expected a name of letters, digits, ".", "_" or "-" (at most 128)'),
  enabled: z.boolean().default(true),
  resourceTypes: z.array(z.string().min(1)).min(1, 'expected at least one resource type, such as ["instance"]'),
  filters: z.array(z.strictObject({ queryId: z.string().min(1), settings })).default([]),
  action: z.strictObject({ uid: z.string().min(1), settings }),
  schedule: z
    .union(
      [
        z.strictObject({ intervalSeconds: z.number().min(1, 'expected at least 1 second') }),
        z.strictObject({ cron: z.string().min(1), timezone: z.string().optional() }).superRefine((s, ctx) => {
          try {
            checkCron(s.cron, s.timezone, 'schedule')
          } catch (error) {
            ctx.addIssue({
              code: 'custom',
              path: ['cron'],
              message: `expected a cron expression such as "0 * * * *"${s.timezone ? ' and an IANA time zone such as "UTC"' : ''} (${((error as Error).cause as Error).message})`,
            })
          }
        }),
      ],
      { error: 'expected {"intervalSeconds": N} or {"cron": "0 * * * *", "timezone": "UTC"}' },
    )
    .nullable()
    .default(null),
})

/** An id a bot refers to that no plugin of the current generation registers. */
export interface UnknownId {
  bot: string
  kind: 'filter' | 'action'
  id: string
  message: string
}

export interface ApplyResult {
  applied: Array<{ name: string; created: boolean }>
  rejected: RowIssue[]
  unknown: UnknownId[]
  /** Set when ids could not be checked (no store, or no recorded registrations). */
  unchecked: string | null
  /** Settings or resource types that do not fit what the filters and actions registered: when any, no bot was applied. */
  invalid: BotProblem[]
}

/**
 * The checking half of `app bots apply`, the same for every backend: bots of the wrong shape are reported by
 * index and field (good ones still land); settings that do not fit the registered settingsConfig (or resource
 * types a filter does not support) stop the whole file; ids no plugin registers are reported. `write`: whether
 * `good` may be written (the caller then fills `result.applied`).
 */
export function readBotFile(data: unknown, registered: RegisteredIds | null): { good: Bot[]; result: ApplyResult; write: boolean } {
  const list = Array.isArray(data) ? data : Array.isArray((data as { bots?: unknown })?.bots) ? (data as { bots: unknown[] }).bots : null
  if (!list) {
    const rejected: RowIssue = {
      index: -1,
      id: null,
      field: '(file)',
      message:
        'expected a JSON array of bots (or, in TOML, [[bots]] tables) like [{"name": "start-stopped-prod", "resourceTypes": ["instance"], "filters": [...], "action": {...}}]',
    }
    return { good: [], result: { applied: [], unknown: [], unchecked: null, invalid: [], rejected: [rejected] }, write: false }
  }
  const good: Bot[] = []
  const rejected: RowIssue[] = []
  list.forEach((row, index) => {
    const name = typeof (row as { name?: unknown })?.name === 'string' ? (row as { name: string }).name : null
    const parsed = botSchema.safeParse(row)
    if (parsed.success) good.push(parsed.data)
    else rejected.push(...rowIssues(index, name, row, parsed.error))
  })
  // Every bot is checked against what its filters and action registered before any is written: one bad bot, none applied.
  const invalid = registered?.known ? checkBotSettings(good, registered) : []
  return { good, result: { applied: [], rejected, invalid, ...checkIds(good, registered) }, write: !invalid.length }
}

/** A bot's columns in the bots table (the same in runtime.db and PostgreSQL). */
export const botParams = (bot: Bot, now: number) => ({
  name: bot.name,
  enabled: bot.enabled ? 1 : 0,
  resourceTypes: JSON.stringify(bot.resourceTypes),
  filters: JSON.stringify(bot.filters),
  action: JSON.stringify(bot.action),
  schedule: bot.schedule ? JSON.stringify(bot.schedule) : null,
  now: new Date(now).toISOString(),
})

/** The key of a bot's recurring run in the schedules table. */
export const botScheduleKey = (name: string): string => `bot:${name}`

/** The schedule that runs an enabled bot on its schedule, or null when it has none (or is disabled): then its row goes. */
export function botRunSchedule(bot: Bot, now: number): NewSchedule | null {
  const schedule = botSchedule(bot)
  if (!schedule || !bot.enabled) return null
  return { key: botScheduleKey(bot.name), eventType: BOT_RUN, bot: bot.name, schedule, nextRunAt: firstRunAt(schedule, now), owner: 'bots' }
}

function checkIds(bots: Bot[], registered: RegisteredIds | null): Pick<ApplyResult, 'unknown' | 'unchecked'> {
  if (!registered)
    return { unknown: [], unchecked: 'there is no plugin store in this data directory yet, so filter and action ids were not checked' }
  if (!registered.known)
    return {
      unknown: [],
      unchecked: `no plugin of generation ${registered.generation ?? '(none)'} recorded what it registers, so filter and action ids were not checked`,
    }
  const list = (s: Set<string>) => (s.size ? [...s].sort().join(', ') : 'none')
  const unknown: UnknownId[] = []
  for (const bot of bots) {
    for (const f of bot.filters) {
      if (!registered.queries.has(f.queryId))
        unknown.push({
          bot: bot.name,
          kind: 'filter',
          id: f.queryId,
          message: `bot "${bot.name}": filter "${f.queryId}" is not registered by any plugin of generation ${registered.generation}; runs of this bot will fail until a plugin registers it. Registered filters: ${list(registered.queries)}`,
        })
    }
    if (!registered.actions.has(bot.action.uid))
      unknown.push({
        bot: bot.name,
        kind: 'action',
        id: bot.action.uid,
        message: `bot "${bot.name}": action "${bot.action.uid}" is not registered by any plugin of generation ${registered.generation}; runs of this bot will fail until a plugin registers it. Registered actions: ${list(registered.actions)}`,
      })
  }
  return { unknown, unchecked: null }
}
