import { createCompiler } from '../compile/create-compiler.ts'
import type { Config } from '../config/config-schema.ts'
import { tidyCache } from '../loader/collect-cache.ts'
import { createDryRun } from '../loader/create-dry-run.ts'
import type { Logger } from '../log/create-logger.ts'
import { openWriterLock } from '../lock/writer-lock.ts'
import { liveGenerations } from '../runtime/read-processes.ts'
import { openWritableStore } from '../store/open-store.ts'
import { followGeneration } from '../schedules/follow-generation.ts'
import { createSources } from './create-sources.ts'
import { syncPlugins, type SyncResult } from './sync-plugins.ts'

/** Files still being written are waited for this many times (settleMs apart) before giving up. */
const MAX_SETTLE_WAITS = 40

/**
 * One publish pass under the writer lock, dry run included: what `app plugins sync` does, and what tests
 * call in-process. Waits for files that are still being written to settle.
 */
export async function publishOnce(
  config: Config,
  options: { logger?: Logger; reason?: string; onProgress?: (done: number, total: number) => void } = {},
): Promise<SyncResult> {
  const lock = await openWriterLock(config.dataDir, options.reason ?? 'app plugins sync')
  try {
    const store = await openWritableStore(config.dataDir)
    const compile = createCompiler({ dataDir: config.dataDir })
    const validate = createDryRun({ dataDir: config.dataDir, store, timeoutMs: config.loader.loadTimeoutMs, logger: options.logger })
    try {
      for (let tries = 0; ; tries++) {
        const result = await syncPlugins({
          store,
          sources: createSources(config),
          validate,
          compile,
          logger: options.logger,
          keepGenerations: config.store.keepGenerations,
          pinnedGenerations: () => liveGenerations(config.dataDir),
          reason: options.reason ?? 'app plugins sync',
          onProgress: options.onProgress,
        })
        if (!result.unsettledMs || tries >= MAX_SETTLE_WAITS) {
          await followGeneration(config.dataDir, store, options.logger)
          return result
        }
        await new Promise((r) => setTimeout(r, result.unsettledMs))
      }
    } finally {
      await validate.stop()
      // After a failed publish above all: the candidates it put into the cache are named by no generation.
      await tidyCache({ dataDir: config.dataDir, store, logger: options.logger })
      await store.truncateWal()
      await store.close()
    }
  } finally {
    await lock.close()
  }
}
