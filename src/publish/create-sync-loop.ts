import type { Logger } from '../log/create-logger.ts'
import { syncPlugins, type SyncOptions, type SyncResult } from './sync-plugins.ts'

/**
 * Runs sync passes one at a time. Requests during a pass coalesce into one
 * more pass after it; a pass that finds files still being written retries
 * once they have settled.
 */
export function createSyncLoop(options: SyncOptions & { logger: Logger; onPublished?: (result: SyncResult) => void }) {
  let running: Promise<void> | null = null
  let again = false
  let timer: NodeJS.Timeout | null = null
  let stopped = false

  async function pass(): Promise<void> {
    do {
      again = false
      try {
        const result = await syncPlugins(options)
        if (result.unsettledMs) {
          options.logger.debug({ waitMs: result.unsettledMs }, 'plugin files still changing; waiting for them to settle')
          schedule(result.unsettledMs)
        } else if (result.changed) options.onPublished?.(result)
      } catch (error) {
        options.logger.error({ err: error }, 'plugin sync failed; the store is unchanged')
      }
    } while (again && !stopped)
  }

  function runNow(): Promise<void> {
    if (running) {
      again = true
      return running
    }
    running = pass().finally(() => { running = null })
    return running
  }

  /** Debounced: the pass starts delayMs after the last request. */
  function schedule(delayMs: number): void {
    if (stopped) return
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => { timer = null; void runNow() }, delayMs)
  }

  return {
    runNow,
    schedule,
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      await running
    },
  }
}
