import { z } from 'zod'
import type { Db } from '../store/open-database.ts'
import type { Bot } from '../sdk/host-services.ts'
import { BOT_RUN } from '../queue/job-types.ts'
import type { RegisteredIds } from './registered-ids.ts'
import { rowIssues, type RowIssue } from '../resources/row-issues.ts'
import { botSchedule, checkCron, firstRunAt } from '../schedules/schedule-data.ts'
import { createScheduleWriter } from '../schedules/schedule-writer.ts'
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
 * Creates or updates bots from a parsed bots file (DESIGN section 7), and
 * their schedules, in one transaction. Bots of the wrong shape are reported by
 * index and field; good ones still land. Settings that do not fit the
 * registered settingsConfig (or resource types a filter does not support)
 * stop the whole file: nothing is applied. Ids no plugin registers are reported.
 */
export async function applyBots(db: Db, data: unknown, registered: RegisteredIds | null): Promise<ApplyResult> {
  const list = Array.isArray(data) ? data : Array.isArray((data as { bots?: unknown })?.bots) ? (data as { bots: unknown[] }).bots : null
  if (!list) {
    return {
      applied: [],
      unknown: [],
      unchecked: null,
      invalid: [],
      rejected: [
        {
          index: -1,
          id: null,
          field: '(file)',
          message:
            'expected a JSON array of bots (or, in TOML, [[bots]] tables) like [{"name": "start-stopped-prod", "resourceTypes": ["instance"], "filters": [...], "action": {...}}]',
        },
      ],
    }
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
  if (invalid.length) return { applied: [], rejected, invalid, ...checkIds(good, registered) }

  const exists = db.prepare('SELECT 1 FROM bots WHERE name = ?').pluck()
  const upsert = db.prepare(`INSERT INTO bots (name, enabled, resource_types, filters, action, schedule, updated_at)
    VALUES (@name, @enabled, @resourceTypes, @filters, @action, @schedule, @now)
    ON CONFLICT (name) DO UPDATE SET enabled = excluded.enabled, resource_types = excluded.resource_types, filters = excluded.filters,
      action = excluded.action, schedule = excluded.schedule, updated_at = excluded.updated_at`)
  const schedules = createScheduleWriter(db)
  const applied = db
    .transaction(() =>
      good.map((bot) => {
        const created = exists.get(bot.name) === undefined
        const now = Date.now()
        upsert.run({
          name: bot.name,
          enabled: bot.enabled ? 1 : 0,
          resourceTypes: JSON.stringify(bot.resourceTypes),
          filters: JSON.stringify(bot.filters),
          action: JSON.stringify(bot.action),
          schedule: bot.schedule ? JSON.stringify(bot.schedule) : null,
          now: new Date(now).toISOString(),
        })
        const schedule = botSchedule(bot)
        if (schedule && bot.enabled)
          schedules.upsert({
            key: `bot:${bot.name}`,
            eventType: BOT_RUN,
            bot: bot.name,
            schedule,
            nextRunAt: firstRunAt(schedule, now),
            owner: 'bots',
          })
        else schedules.remove(`bot:${bot.name}`)
        return { name: bot.name, created }
      }),
    )
    .immediate()

  return { applied, rejected, invalid, ...checkIds(good, registered) }
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
