import { createSqliteBots } from '../bots/sqlite-bots.ts'
import { createSqliteHookSubscriptions } from '../hooks/hook-subscriptions.ts'
import { createHostServices } from '../host/create-host-services.ts'
import { createSqliteJobStore } from '../queue/sqlite-job-store.ts'
import { createSqliteInventory } from '../resources/sqlite-inventory.ts'
import { openRuntimeDb } from '../runtime/open-runtime.ts'
import { createSqliteProcessRegistry } from '../runtime/process-registry.ts'
import { createSqliteConsole } from '../runtime/sqlite-console.ts'
import { createSqliteRuntimeErrors } from '../runtime/sqlite-runtime-errors.ts'
import { createSqliteSchedules } from '../schedules/sqlite-schedules.ts'
import { createSqliteSessions } from '../sessions/sqlite-session-store.ts'
import { createSqliteSettingsStore } from '../settings/settings-store.ts'
import { createSqlitePluginStorage } from '../storage/plugin-storage.ts'
import type { Db } from '../store/open-database.ts'
import { closeDatabase } from '../store/truncate-wal.ts'
import type { RuntimeBackend } from './runtime-backend.ts'

/** The runtime ports over data/runtime.db (opened and migrated here), the embedded default. */
export function openSqliteRuntimeBackend(dataDir: string): RuntimeBackend {
  return sqliteRuntimeBackend(openRuntimeDb(dataDir))
}

/** The same over a connection the caller opened (and that close() closes). */
export function sqliteRuntimeBackend(db: Db): RuntimeBackend {
  return {
    kind: 'sqlite',
    sqlite: db,
    processes: createSqliteProcessRegistry(db),
    settings: createSqliteSettingsStore(db),
    hooks: createSqliteHookSubscriptions(db),
    console: createSqliteConsole(db),
    errors: createSqliteRuntimeErrors(db),
    jobs: createSqliteJobStore(db),
    inventory: createSqliteInventory(db),
    bots: createSqliteBots(db),
    schedules: createSqliteSchedules(db),
    storage: (quotaBytes) => createSqlitePluginStorage(db, { quotaBytes }),
    sessions: (adminToken, limits) => createSqliteSessions(db, adminToken, limits),
    async hostServices(options) {
      return createHostServices(db, options)
    },
    async close() {
      if (db.open) closeDatabase(db)
    },
  }
}
