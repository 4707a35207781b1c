import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { openDatabase, type Db } from '../store/open-database.ts'
import { RUNTIME_FILE } from './open-runtime.ts'
import { listProcesses, type ProcessInfo } from './process-registry.ts'

/**
 * The process registry, for a writer deciding what it may delete: through the
 * caller's runtime.db connection, or runtime.db opened read-only (a one-shot
 * `app plugins sync`). [] when no role has registered yet; null when the
 * registry cannot be read, so the caller assumes the worst.
 */
export async function readProcesses(dataDir: string, runtime?: Db): Promise<ProcessInfo[] | null> {
  try {
    if (runtime) return await listProcesses(runtime)
    const file = join(dataDir, RUNTIME_FILE)
    if (!existsSync(file)) return []
    const db = openDatabase(file, { readonly: true })
    try {
      return await listProcesses(db)
    } finally {
      db.close()
    }
  } catch (error) {
    // Created but never migrated (a role that failed at once, on a full disk): no process ever registered.
    return /no such table/.test((error as Error).message) ? [] : null
  }
}

/**
 * Live processes that run plugin code from the cache: workers and webs. The
 * scheduler records a generation too, but runs plugins only in the publish
 * dry run, from candidates it materializes itself.
 */
export const runsPlugins = (p: ProcessInfo): boolean => p.live && p.role !== 'scheduler'

/** The generations live workers and webs run: a publish must not prune them (their bundles stay known and cached). */
export async function liveGenerations(dataDir: string, runtime?: Db): Promise<number[]> {
  return liveGenerationsOf((await readProcesses(dataDir, runtime)) ?? [])
}

/** The same from a list read through either backend's registry (ProcessRegistryPort.list). */
export const liveGenerationsOf = (processes: ProcessInfo[]): number[] => [
  ...new Set(processes.filter((p) => runsPlugins(p) && p.generation !== null).map((p) => p.generation!)),
]
