import { createCompiler } from '../compile/create-compiler.ts'
import type { Config } from '../config/config-schema.ts'
import { createDryRun } from '../loader/create-dry-run.ts'
import type { Logger } from '../log/create-logger.ts'
import { acquireWriterLock } from '../lock/writer-lock.ts'
import { openWritableStore } from '../store/open-store.ts'
import { createSources } from './create-sources.ts'
import { syncPlugins, type SyncResult } from './sync-plugins.ts'

/** Files still being written are waited for this many times (settleMs apart) before giving up. */
const MAX_SETTLE_WAITS = 40

/**
 * One publish pass under the writer lock, dry run included: what `app plugins sync` does, and what tests
 * call in-process. Waits for files that are still being written to settle.
 */
export async function publishOnce(config: Config, options: { logger?: Logger; reason?: string; onProgress?: (done: number, total: number) => void } = {}): Promise<SyncResult> {
  const lock = await acquireWriterLock(config.dataDir, options.reason ?? 'app plugins sync')
  try {
    const store = await openWritableStore(config.dataDir)
    const compile = createCompiler({ dataDir: config.dataDir })
    const validate = createDryRun({ dataDir: config.dataDir, store, timeoutMs: config.loader.loadTimeoutMs, logger: options.logger })
    try {
      for (let tries = 0; ; tries++) {
        const result = await syncPlugins({ store, sources: createSources(config), validate, compile, logger: options.logger, keepGenerations: config.store.keepGenerations, reason: options.reason ?? 'app plugins sync', onProgress: options.onProgress })
        if (!result.unsettledMs || tries >= MAX_SETTLE_WAITS) return result
        await new Promise((r) => setTimeout(r, result.unsettledMs))
      }
    } finally {
      await validate.dispose()
      await store.close()
    }
  } finally {
    await lock.release()
  }
}
