import type { Queryable } from '../postgres/open-postgres.ts'
import type { Bot } from '../sdk/host-services.ts'
import { toBot, type BotRow } from './resource-rows.ts'

/**
 * The bots as bot runs and plugins read them on PostgreSQL (HostServices.bots, BotStore). Here beside toBot rather
 * than in src/bots, so the host's services can use them: src/bots imports the loader, which imports the host.
 * Names sort by byte (COLLATE "C"), as SQLite's do, whatever the database's collation.
 */
export function createPostgresBotReads(db: Queryable): { get(name: string): Promise<Bot | null>; list(): Promise<Bot[]> } {
  return {
    async get(name) {
      const { rows } = await db.query<BotRow>('SELECT * FROM runtime.bots WHERE name = $1', [name])
      return rows[0] ? toBot(rows[0]) : null
    },
    list: async () => (await db.query<BotRow>('SELECT * FROM runtime.bots ORDER BY name COLLATE "C"')).rows.map(toBot),
  }
}
