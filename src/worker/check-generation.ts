import type { PluginStoreReader } from '../store/plugin-store-port.ts'
import type { EventWorkerState } from './event-worker-state.ts'

/** SQLite has no notifications: how often the watch reads the newest generation id there (PostgreSQL: LISTEN). */
const GENERATION_CHECK_MS = 2000

/** Plugins load at startup (the seed's rule); --reload opts into loading a new generation in place. */
export function checkGeneration(w: EventWorkerState, id: number | null): void {
  if (id === null || id === w.newest) return
  w.newest = id
  // Without --reload the reader role says once that a restart picks the new generation up; but threads
  // that started before the first publish have nothing loaded, and load the first generation now.
  if (w.config.reload || w.loadedGeneration === null) {
    w.log.info({ generation: id }, 'new plugin generation: reloading the handler threads')
    w.pool.reload(id)
  }
}

/**
 * Watches the store for new generations (store.watchGenerations) until the returned function is called. A
 * generation published before the watch started is checked once it runs; a watch that cannot start is
 * tried again.
 */
export function watchGenerations(w: EventWorkerState, store: PluginStoreReader): () => Promise<void> {
  let unwatch: (() => Promise<void>) | null = null
  let stopped = false
  let retry: ReturnType<typeof setTimeout> | undefined
  const start = async () => {
    try {
      const stop = await store.watchGenerations((id) => checkGeneration(w, id), { pollMs: GENERATION_CHECK_MS })
      if (stopped) return await stop()
      unwatch = stop
      checkGeneration(w, await store.currentGenerationId())
    } catch (error) {
      if (stopped) return
      w.log.warn({ err: error }, 'could not watch for new plugin generations; trying again')
      if (!unwatch) {
        retry = setTimeout(start, GENERATION_CHECK_MS)
        retry.unref()
      }
    }
  }
  void start()
  return async () => {
    stopped = true
    clearTimeout(retry)
    await unwatch?.()
  }
}

/** A thread loaded `loaded`: with --reload, the processes row shows the generation the threads run. */
export function generationLoaded(w: EventWorkerState, loaded: number | null): void {
  if (loaded === w.loadedGeneration) return
  w.loadedGeneration = loaded
  if (w.config.reload) void w.proc.setGeneration(loaded).catch(() => {})
}
