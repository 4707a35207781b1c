import { hostname } from 'node:os'
import { createPostgresBots } from '../bots/postgres-bots.ts'
import { createPostgresHookSubscriptions } from '../hooks/postgres-hook-subscriptions.ts'
import { createPostgresHostServices } from '../host/postgres-host-services.ts'
import { checkPostgresSchema } from '../postgres/migrate-postgres.ts'
import { openPostgres, type PgPool } from '../postgres/open-postgres.ts'
import { createPostgresJobStore } from '../queue/postgres-job-store.ts'
import { createPostgresInventory } from '../resources/postgres-inventory.ts'
import { createPostgresConsole } from '../runtime/postgres-console.ts'
import { createPostgresProcessRegistry } from '../runtime/postgres-process-registry.ts'
import { createPostgresRuntimeErrors } from '../runtime/postgres-runtime-errors.ts'
import { createPostgresSchedules } from '../schedules/postgres-schedules.ts'
import { createPostgresSessions } from '../sessions/postgres-session-store.ts'
import { createPostgresSettingsStore } from '../settings/postgres-settings-store.ts'
import type { SettingsPort } from '../settings/settings-port.ts'
import { createPostgresPluginStorage } from '../storage/postgres-plugin-storage.ts'
import type { RuntimeBackend } from './runtime-backend.ts'

/** How often plugin code's view of its settings is refreshed: the SDK reads them synchronously. */
const SETTINGS_REFRESH_MS = 1000

/** The name a role's connections carry in pg_stat_activity: which role, host and process they are. */
export const connectionName = (role: string) => `app ${role} ${hostname()}:${process.pid}`

/**
 * The runtime ports over the `runtime` schema (DESIGN section 12), on one pool of this role's database
 * user. The schema must be this build's: the scheduler (or `app db init`) brings it forward.
 */
export async function openPostgresRuntimeBackend(url: string, role: string, options: { max?: number } = {}): Promise<RuntimeBackend> {
  const pool = await openPostgres(url, { applicationName: connectionName(role), max: options.max })
  try {
    await checkPostgresSchema(pool)
  } catch (error) {
    await pool.end()
    throw error
  }
  return postgresRuntimeBackend(pool)
}

/** The same on a pool the caller opened (and that close() ends). */
export function postgresRuntimeBackend(pool: PgPool): RuntimeBackend {
  const jobs = createPostgresJobStore(pool)
  const settings = createPostgresSettingsStore(pool)
  const stops: Array<() => void> = []
  return {
    kind: 'postgres',
    sqlite: null,
    processes: createPostgresProcessRegistry(pool),
    settings,
    hooks: createPostgresHookSubscriptions(pool),
    console: createPostgresConsole(pool),
    errors: createPostgresRuntimeErrors(pool),
    jobs,
    inventory: createPostgresInventory(pool),
    bots: createPostgresBots(pool),
    schedules: createPostgresSchedules(pool),
    storage: (quotaBytes) => createPostgresPluginStorage(pool, { quotaBytes }),
    sessions: (adminToken, limits) => createPostgresSessions(pool, adminToken, limits),
    async hostServices(options) {
      const view = await settingsView(settings)
      stops.push(view.stop)
      return createPostgresHostServices(pool, {
        jobs: jobs.admin,
        pluginSettings: { values: view.values },
        storage: createPostgresPluginStorage(pool, { quotaBytes: options.storageBytes }),
        role: options.role,
        dataDir: options.dataDir,
      })
    },
    async close() {
      for (const stop of stops) stop()
      if (!pool.ending) await pool.end()
    },
  }
}

/**
 * The SDK's settings.get() is synchronous (a plugin reads its settings at any time), so plugin code reads a
 * copy of every plugin's settings, loaded before the first job and refreshed each second: an operator's change
 * reaches running workers within about a second, as a new generation would.
 */
async function settingsView(settings: SettingsPort) {
  let all = await settings.readAll()
  const timer = setInterval(() => {
    settings.readAll().then(
      (fresh) => {
        all = fresh
      },
      () => {}, // kept: the last good copy; the next refresh tries again
    )
  }, SETTINGS_REFRESH_MS)
  timer.unref()
  return {
    values: (plugin: string) => new Map([...(all.get(plugin) ?? new Map())].map(([key, s]) => [key, s.value])),
    stop: () => clearInterval(timer),
  }
}
