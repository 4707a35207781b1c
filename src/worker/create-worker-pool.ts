import { generationLoaded } from './check-generation.ts'
import type { EventWorkerState } from './event-worker-state.ts'
import { poke } from './event-worker-state.ts'
import { flushSoon } from './flush-results.ts'
import { createHandlerPool, type HandlerPool } from './handler-pool.ts'
import { reportLoad, updateTypes } from './worker-reports.ts'

/** The worker's handler threads, starting on `generation`; what they report lands in `w` (types, load reports, results to flush). */
export function createWorkerPool(w: EventWorkerState, generation: number | null): HandlerPool {
  const { config, log } = w
  return createHandlerPool({
    size: config.concurrency,
    logger: log,
    fence: w.fence,
    memoryMb: config.jobs.threadMemoryMb,
    thread: {
      dataDir: config.dataDir,
      databaseUrl: config.database.url ?? null,
      generation,
      loadTimeoutMs: config.loader.loadTimeoutMs,
      timeoutMs: config.jobs.timeoutMs,
      logLevel: config.logLevel,
      storageBytes: config.limits.storageBytes,
    },
    onReady(thread, ids, reports, loaded) {
      w.threads.set(thread, { ids, reports })
      generationLoaded(w, loaded)
      updateTypes(w)
      if (!w.announced) {
        w.announced = true
        log.info(
          {
            generation: loaded,
            eventTypes: ids.eventTypes,
            filters: ids.queries.length,
            actions: ids.actions.length,
            threads: config.concurrency,
          },
          'handlers ready',
        )
      }
      void reportLoad(w)
      poke(w)
    },
    onReports(thread, reports) {
      const t = w.threads.get(thread)
      if (t) {
        t.reports = reports
        void reportLoad(w)
      }
    },
    onGone(thread) {
      w.threads.delete(thread)
      updateTypes(w)
    },
    onResults(batch) {
      w.results.push(...batch)
      flushSoon(w)
    },
    onStarted(batch) {
      w.starts.push(...batch)
      flushSoon(w)
    },
    onRuntimeError(failure) {
      log.warn({ code: 'RUNTIME_ERROR', plugin: failure.plugin, version: failure.version }, failure.message)
      void w.runtime.errors.record({ ...failure, where: w.where }).then((ok) => {
        if (!ok) log.warn({ plugin: failure.plugin }, 'could not record a run-time error (database busy)')
      })
    },
  })
}
