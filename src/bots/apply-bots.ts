import type { Db } from '../store/open-database.ts'
import type { RegisteredIds } from './registered-ids.ts'
import { createScheduleWriter } from '../schedules/schedule-writer.ts'
import { botParams, botRunSchedule, botScheduleKey, readBotFile, type ApplyResult } from './bot-file.ts'

/**
 * Creates or updates bots from a parsed bots file (DESIGN section 7), and
 * their schedules, in one transaction in runtime.db. Bots of the wrong shape are
 * reported by index and field; good ones still land. Settings that do not fit the
 * registered settingsConfig (or resource types a filter does not support)
 * stop the whole file: nothing is applied. Ids no plugin registers are reported.
 */
export async function applyBots(db: Db, data: unknown, registered: RegisteredIds | null): Promise<ApplyResult> {
  const { good, result, write } = readBotFile(data, registered)
  if (!write) return result
  const exists = db.prepare('SELECT 1 FROM bots WHERE name = ?').pluck()
  const upsert = db.prepare(`INSERT INTO bots (name, enabled, resource_types, filters, action, schedule, updated_at)
    VALUES (@name, @enabled, @resourceTypes, @filters, @action, @schedule, @now)
    ON CONFLICT (name) DO UPDATE SET enabled = excluded.enabled, resource_types = excluded.resource_types, filters = excluded.filters,
      action = excluded.action, schedule = excluded.schedule, updated_at = excluded.updated_at`)
  const schedules = createScheduleWriter(db)
  result.applied = db
    .transaction(() =>
      good.map((bot) => {
        const created = exists.get(bot.name) === undefined
        const now = Date.now()
        upsert.run(botParams(bot, now))
        const schedule = botRunSchedule(bot, now)
        if (schedule) schedules.upsert(schedule)
        else schedules.remove(botScheduleKey(bot.name))
        return { name: bot.name, created }
      }),
    )
    .immediate()
  return result
}
