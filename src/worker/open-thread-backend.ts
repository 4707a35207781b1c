import { openSqliteRuntimeBackend } from '../backend/sqlite-runtime-backend.ts'
import type { HandlerThreadData } from './handler-protocol.ts'
import type { ThreadBackend } from './thread-backend.ts'

/**
 * The backend database.url names (HandlerThreadData.databaseUrl): runtime.db in the data dir when unset, else
 * PostgreSQL. Its modules (pg, and every PostgreSQL adapter) are loaded only then: they were a quarter of each
 * thread's start-up CPU on SQLite (224 -> 172 ms, --cpu-prof), and a worker starts four threads.
 */
export async function openThreadBackend(data: HandlerThreadData): Promise<ThreadBackend> {
  if (data.databaseUrl) return (await import('./open-postgres-thread-backend.ts')).openPostgresThreadBackend(data, data.databaseUrl)
  const runtime = openSqliteRuntimeBackend(data.dataDir)
  return { runtime, store: null, close: () => runtime.close() }
}
