import { AppError } from '../errors/app-error.ts'
import type { Logger } from '../log/create-logger.ts'
import { syncPlugins, type SyncOptions, type SyncResult } from './sync-plugins.ts'

/**
 * Runs sync passes one at a time. Requests during a pass coalesce into one
 * more pass after it; a pass that finds files still being written retries
 * once they have settled, and one that saw a change under a second old looks
 * once more a second after it (a watcher can miss part of it). `tidy` (the
 * cache collection) runs after a pass that published or failed, and on
 * request, never during a pass: the dry run puts candidates into the cache
 * that no generation names yet.
 */
export function createSyncLoop(
  options: SyncOptions & { logger: Logger; onPublished?: (result: SyncResult) => void; tidy?: () => Promise<unknown> },
) {
  let running: Promise<void> | null = null
  let again = false
  let tidyWanted = false
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
        } else {
          if (result.changed) {
            tidyWanted = true
            options.onPublished?.(result)
          }
          if (result.recheckMs) schedule(result.recheckMs)
        }
      } catch (error) {
        tidyWanted = true // a failed publish leaves candidates in the cache that no generation will name
        // A clear message (DISK_FULL says what is full and what to delete) needs no stack.
        if (error instanceof AppError)
          options.logger.error({ code: error.code }, `plugin sync failed; the store is unchanged: ${error.message}`)
        else options.logger.error({ err: error }, 'plugin sync failed; the store is unchanged')
      }
      if (tidyWanted) await runTidy()
    } while (again && !stopped)
  }

  async function runTidy(): Promise<void> {
    tidyWanted = false
    try {
      await options.tidy?.()
    } catch (error) {
      options.logger.warn({ err: error }, 'cache collection failed')
    }
  }

  /** The periodic collection: now, or right after the pass in progress. */
  function tidySoon(): Promise<void> {
    if (stopped) return Promise.resolve()
    if (running) {
      tidyWanted = true
      return running
    }
    running = (async () => {
      await runTidy()
      if (again && !stopped) await pass() // a pass requested while the collection ran
    })().finally(() => {
      running = null
    })
    return running
  }

  function runNow(): Promise<void> {
    if (running) {
      again = true
      return running
    }
    running = pass().finally(() => {
      running = null
    })
    return running
  }

  /** Debounced: the pass starts delayMs after the last request. */
  function schedule(delayMs: number): void {
    if (stopped) return
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => {
      timer = null
      void runNow()
    }, delayMs)
  }

  /**
   * Runs `fn` (an operator's request: disable, enable, roll back) between passes, never during one:
   * both publish from what they read of the current generation.
   */
  async function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    while (running) await running.catch(() => {})
    const task = fn()
    running = task
      .then(
        () => {},
        () => {},
      )
      .finally(() => {
        running = null
        if (again && !stopped) void runNow() // a pass requested meanwhile
      })
    return task
  }

  return {
    runNow,
    schedule,
    tidySoon,
    exclusive,
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      await running
    },
  }
}
