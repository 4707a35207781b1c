import { openWriterBackend } from '../backend/open-backend.ts'
import type { Config } from '../config/config-schema.ts'
import { ExitCode } from '../errors/app-error.ts'
import type { DryRunReads } from '../host/create-dry-run-services.ts'
import { openWriterLock } from '../lock/writer-lock.ts'
import type { Logger } from '../log/create-logger.ts'
import type { ProcessInfo } from '../runtime/process-info.ts'
import { readProcesses } from '../runtime/read-processes.ts'
import { followGeneration, followGenerationInDataDir } from '../schedules/follow-generation.ts'
import { openWritableStore } from '../store/open-store.ts'
import type { PublishStore } from './sync-plugins.ts'

/** What a one-shot publish (`app plugins sync`, `rollback`) writes to, under the writer lock, on either backend. */
export interface PublishTarget {
  store: PublishStore
  /** The process registry (what bundles and generations live processes use); null when it cannot be read. */
  processes(): Promise<ProcessInfo[] | null>
  /** Plugin jobs and hook subscriptions follow the current generation; never throws. */
  follow(): Promise<void>
  /** PostgreSQL: the dry run's reads (undefined on SQLite: the dry-run thread opens runtime.db read-only itself). */
  dryRunReads(): Promise<DryRunReads | undefined>
  close(): Promise<void>
}

/**
 * SQLite: the file lock and plugins.db; runtime.db is only read (or written, for the registrations) when it
 * exists, so a sync on a fresh data dir creates no runtime database. PostgreSQL: the advisory lock and both
 * schemas, migrated to this build.
 */
export async function openPublishTarget(config: Config, command: string, logger?: Logger): Promise<PublishTarget> {
  if (config.database.url) {
    const backend = await openWriterBackend(config, command, (error) => {
      // Another scheduler may take the lock and publish now: this one must not write another row.
      logger?.error({ err: error }, `${command}: lost the writer lock in PostgreSQL; stopping without publishing`)
      process.exit(ExitCode.runtime)
    })
    const { runtime, store } = backend
    return {
      store,
      processes: () => runtime.processes.list().catch(() => null),
      follow: () => followGeneration(runtime.schedules, store, logger),
      dryRunReads: () => runtime.hostServices({ role: 'scheduler', dataDir: config.dataDir, storageBytes: config.limits.storageBytes }),
      close: backend.close,
    }
  }
  const lock = await openWriterLock(config.dataDir, command)
  try {
    const store = await openWritableStore(config.dataDir)
    return {
      store,
      processes: () => readProcesses(config.dataDir),
      follow: () => followGenerationInDataDir(config.dataDir, store, logger),
      dryRunReads: async () => undefined,
      async close() {
        try {
          await store.truncateWal()
          await store.close()
        } finally {
          await lock.close()
        }
      },
    }
  } catch (error) {
    await lock.close()
    throw error
  }
}
