import type { Config } from '../config/config-schema.ts'
import type { RuntimeBackend } from './runtime-backend.ts'
import { openSqliteRuntimeBackend } from './sqlite-runtime-backend.ts'

/**
 * The runtime tables alone, for a command that needs no plugin store: PostgreSQL when config.database.url is
 * set (its connections named after `role`), else runtime.db in dataDir (created if missing, as today).
 */
export async function openRuntimeBackend(config: Config, role: string): Promise<RuntimeBackend> {
  const url = config.database.url
  if (!url) return openSqliteRuntimeBackend(config.dataDir)
  return (await import('./postgres-runtime-backend.ts')).openPostgresRuntimeBackend(url, role, { max: 2 }) // pg: loaded only here
}
