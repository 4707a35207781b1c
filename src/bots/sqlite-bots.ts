import { toBot, type BotRow } from '../resources/resource-rows.ts'
import type { Db } from '../store/open-database.ts'
import type { BotStore } from './bot-port.ts'

/** The bots in runtime.db (the embedded default): the existing SQLite code behind the BotStore port. */
export function createSqliteBots(db: Db): BotStore {
  const q = {
    bot: db.prepare('SELECT * FROM bots WHERE name = ?'),
    bots: db.prepare('SELECT * FROM bots ORDER BY name'),
  }
  return {
    async get(name) {
      const row = q.bot.get(name) as BotRow | undefined
      return row ? toBot(row) : null
    },
    list: async () => (q.bots.all() as BotRow[]).map(toBot),
    // The bots file's checks (zod) load when a file is applied: the handler threads that open this never do.
    apply: async (data, registered) => (await import('./apply-bots.ts')).applyBots(db, data, registered),
  }
}
