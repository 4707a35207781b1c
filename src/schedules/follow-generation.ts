import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from '../log/create-logger.ts'
import { openRuntimeDb, RUNTIME_FILE } from '../runtime/open-runtime.ts'
import type { Db } from '../store/open-database.ts'
import type { StoreReader } from '../store/store-reader.ts'
import type { ScheduleStore } from './schedule-port.ts'
import { createRegistrationSync } from './sync-plugin-registrations.ts'

/**
 * After a one-shot publish (`app plugins sync`, under the writer lock, so no scheduler runs meanwhile):
 * plugin jobs and hook subscriptions follow the new generation at once, so deliveries start before a
 * scheduler does. Never failing the publish: the scheduler syncs them again whenever it starts.
 */
export async function followGeneration(
  schedules: Pick<ScheduleStore, 'syncRegistrations'>,
  store: StoreReader,
  logger?: Logger,
): Promise<void> {
  try {
    await schedules.syncRegistrations(await store.currentGeneration())
  } catch (error) {
    logger?.warn({ err: error }, 'could not update plugin jobs and hook subscriptions; the scheduler does when it starts')
  }
}

/** The same into data/runtime.db, only when it exists: a fresh data dir gets them when a scheduler starts. */
export async function followGenerationInDataDir(dataDir: string, store: StoreReader, logger?: Logger): Promise<void> {
  if (!existsSync(join(dataDir, RUNTIME_FILE))) return
  let db: Db | null = null
  try {
    db = openRuntimeDb(dataDir)
    createRegistrationSync(db).immediate(await store.currentGeneration())
  } catch (error) {
    logger?.warn({ err: error }, 'could not update plugin jobs and hook subscriptions in runtime.db; the scheduler does when it starts')
  } finally {
    db?.close()
  }
}
