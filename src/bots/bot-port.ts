// The bots' port: `app bots apply` writes bots (and their schedules); bot runs and plugins (HostServices.bots)
// read them. The SQLite adapter (sqlite-bots.ts, over apply-bots.ts) and the PostgreSQL one (postgres-bots.ts)
// both give exactly this, and test/contract/bots.unit.test.ts runs one suite on both.
import type { Bot } from '../sdk/host-services.ts'
import type { ApplyResult } from './bot-file.ts'
import type { RegisteredIds } from './registered-ids.ts'

export interface BotStore {
  get(name: string): Promise<Bot | null>
  /** Every bot, by name (byte order, as SQLite sorts). */
  list(): Promise<Bot[]>
  /**
   * Creates or updates the bots of a parsed bots file and their schedules in one transaction: an enabled bot
   * with a schedule gets one (a changed schedule starts over, the same one keeps its rhythm), any other loses it.
   */
  apply(data: unknown, registered: RegisteredIds | null): Promise<ApplyResult>
}
