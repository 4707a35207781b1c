import type { StoreReader } from '../store/store-reader.ts'
import type { EventWorkerState } from './event-worker-state.ts'

/** Plugins load at startup (the seed's rule); --reload opts into loading a new generation in place. */
export async function checkGeneration(w: EventWorkerState, plugins: StoreReader): Promise<void> {
  const id = await plugins.currentGenerationId()
  if (id === null || id === w.newest) return
  w.newest = id
  // Without --reload the reader role says once that a restart picks the new generation up; but threads
  // that started before the first publish have nothing loaded, and load the first generation now.
  if (w.config.reload || w.loadedGeneration === null) {
    w.log.info({ generation: id }, 'new plugin generation: reloading the handler threads')
    w.pool.reload(id)
  }
}

/** A thread loaded `loaded`: with --reload, the processes row shows the generation the threads run. */
export function generationLoaded(w: EventWorkerState, loaded: number | null): void {
  if (loaded === w.loadedGeneration) return
  w.loadedGeneration = loaded
  if (w.config.reload) void w.proc.setGeneration(loaded).catch(() => {})
}
