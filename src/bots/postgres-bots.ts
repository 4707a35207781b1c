import { type PgPool, withTransaction } from '../postgres/open-postgres.ts'
import { createPostgresBotReads } from '../resources/postgres-bot-reads.ts'
import { removePostgresSchedule, upsertPostgresSchedule } from '../schedules/postgres-schedule-writer.ts'
import { botParams, botRunSchedule, botScheduleKey, readBotFile } from './bot-file.ts'
import type { BotStore } from './bot-port.ts'

const UPSERT = `INSERT INTO runtime.bots (name, enabled, resource_types, filters, action, schedule, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (name) DO UPDATE SET enabled = EXCLUDED.enabled, resource_types = EXCLUDED.resource_types, filters = EXCLUDED.filters,
    action = EXCLUDED.action, schedule = EXCLUDED.schedule, updated_at = EXCLUDED.updated_at`

/**
 * The bots on PostgreSQL (runtime.bots), on the worker's connection (bot runs read them; `app bots apply` writes
 * only runtime tables, so the worker's grants suffice) or the web's (reads).
 */
export function createPostgresBots(pool: PgPool): BotStore {
  return {
    ...createPostgresBotReads(pool),
    async apply(data, registered) {
      const { good, result, write } = readBotFile(data, registered)
      if (!write) return result
      result.applied = await withTransaction(pool, async (c) => {
        const applied: Array<{ name: string; created: boolean }> = []
        for (const bot of good) {
          const now = Date.now()
          const p = botParams(bot, now)
          const { rowCount } = await c.query('SELECT 1 FROM runtime.bots WHERE name = $1', [bot.name])
          await c.query(UPSERT, [p.name, p.enabled, p.resourceTypes, p.filters, p.action, p.schedule, p.now])
          const schedule = botRunSchedule(bot, now)
          if (schedule) await upsertPostgresSchedule(c, schedule, now)
          else await removePostgresSchedule(c, botScheduleKey(bot.name))
          applied.push({ name: bot.name, created: !rowCount })
        }
        return applied
      })
      return result
    },
  }
}
