import { createCompiler } from '../compile/create-compiler.ts'
import type { Config } from '../config/config-schema.ts'
import { tidyCache } from '../loader/collect-cache.ts'
import { createDryRun } from '../loader/create-dry-run.ts'
import type { Logger } from '../log/create-logger.ts'
import { liveGenerationsOf } from '../runtime/read-processes.ts'
import { createSources } from './create-sources.ts'
import { openPublishTarget } from './open-publish-target.ts'
import { syncPlugins, type SyncResult } from './sync-plugins.ts'

/** Files still being written are waited for this many times (settleMs apart) before giving up. */
const MAX_SETTLE_WAITS = 40

/**
 * One publish pass under the writer lock, dry run included: what `app plugins sync` does, and what tests
 * call in-process. Waits for files that are still being written to settle. Either backend (database.url).
 */
export async function publishOnce(
  config: Config,
  options: { logger?: Logger; reason?: string; onProgress?: (done: number, total: number) => void } = {},
): Promise<SyncResult> {
  const reason = options.reason ?? 'app plugins sync'
  const target = await openPublishTarget(config, reason, options.logger)
  try {
    const { store } = target
    const compile = createCompiler({ dataDir: config.dataDir })
    const validate = createDryRun({
      dataDir: config.dataDir,
      store,
      timeoutMs: config.loader.loadTimeoutMs,
      logger: options.logger,
      reads: await target.dryRunReads(),
    })
    try {
      for (let tries = 0; ; tries++) {
        const result = await syncPlugins({
          store,
          dataDir: config.dataDir,
          sources: createSources(config),
          validate,
          compile,
          logger: options.logger,
          keepGenerations: config.store.keepGenerations,
          pinnedGenerations: async () => liveGenerationsOf((await target.processes()) ?? []),
          reason,
          onProgress: options.onProgress,
        })
        if (!result.unsettledMs || tries >= MAX_SETTLE_WAITS) {
          await target.follow()
          return result
        }
        await new Promise((r) => setTimeout(r, result.unsettledMs))
      }
    } finally {
      await validate.stop()
      // After a failed publish above all: the candidates it put into the cache are named by no generation.
      await tidyCache({ dataDir: config.dataDir, store, processes: target.processes, logger: options.logger })
    }
  } finally {
    await target.close()
  }
}
