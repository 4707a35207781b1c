import { openWriterLock, type WriterLock } from '../lock/writer-lock.ts'
import { openRuntimeDb } from '../runtime/open-runtime.ts'
import { registerProcess } from '../runtime/process-registry.ts'
import { liveGenerations } from '../runtime/read-processes.ts'
import { createSources } from '../publish/create-sources.ts'
import { applyPluginRequests } from '../publish/apply-plugin-requests.ts'
import { createSyncLoop } from '../publish/create-sync-loop.ts'
import { syncPlugins } from '../publish/sync-plugins.ts'
import { hasPendingPluginRequests } from '../runtime/plugin-requests.ts'
import { startSchedulerTick } from '../schedules/start-scheduler-tick.ts'
import { tidyCache } from '../loader/collect-cache.ts'
import { createDryRun } from '../loader/create-dry-run.ts'
import { createCompiler } from '../compile/create-compiler.ts'
import type { Db } from '../store/open-database.ts'
import { openWritableStore, type WritableStore } from '../store/open-store.ts'
import { closeDatabase, truncateWal } from '../store/truncate-wal.ts'
import type { Role, RoleContext } from './role.ts'
import { runStopSteps, type StopStep } from './stop-steps.ts'

/** The only writer of plugins.db: holds the lock, publishes what the sources hold, watches for changes. */
export async function startScheduler(ctx: RoleContext): Promise<Role> {
  const { config } = ctx
  const log = ctx.logger.child({ role: 'scheduler' })
  const lock = await openWriterLock(config.dataDir, 'app --role=scheduler')
  let store: WritableStore | null = null
  let runtime: Db | null = null
  try {
    store = await openWritableStore(config.dataDir, { check: true }) // a damaged page is reported now, with the fix
    runtime = openRuntimeDb(config.dataDir)
    // A restart after a full disk: give the WAL and cache space back before writing anything.
    await store.truncateWal()
    truncateWal(runtime)
    await tidyCache({ dataDir: config.dataDir, store, runtime, logger: log })
    return await runScheduler(ctx, log, { lock, store, runtime })
  } catch (error) {
    await runStopSteps(closeSteps(lock, store, runtime), log, config.dataDir)
    throw error
  }
}

/** What the scheduler closes last, in order: runtime.db, plugins.db (WAL truncated first), the writer lock. */
function closeSteps(lock: WriterLock, store: WritableStore | null, runtime: Db | null): StopStep[] {
  return [
    [
      'close runtime.db',
      () => {
        if (runtime) closeDatabase(runtime)
      },
    ],
    ['truncate the WAL of plugins.db', () => store?.truncateWal()],
    ['close plugins.db', () => store?.close()],
    ['close the writer lock', () => lock.close()],
  ]
}

async function runScheduler(
  { config }: RoleContext,
  log: RoleContext['logger'],
  { lock, store, runtime }: { lock: WriterLock; store: WritableStore; runtime: Db },
): Promise<Role> {
  const proc = registerProcess(runtime, 'scheduler')
  const sources = createSources(config)
  const validate = createDryRun({ dataDir: config.dataDir, store, timeoutMs: config.loader.loadTimeoutMs, logger: log })
  const tidy = () => tidyCache({ dataDir: config.dataDir, store, runtime, logger: log })
  const pinnedGenerations = () => liveGenerations(config.dataDir, runtime)
  const compile = createCompiler({ dataDir: config.dataDir })
  const syncOptions = {
    store,
    sources,
    validate,
    compile,
    logger: log,
    keepGenerations: config.store.keepGenerations,
    pinnedGenerations,
    reason: 'scan',
  }
  const loop = createSyncLoop({ ...syncOptions, tidy })
  await loop.runNow()
  await proc.setGeneration(await store.currentGenerationId())
  const unwatchers: Array<() => Promise<void>> = []
  for (const source of sources) {
    if (source.watch) unwatchers.push(await source.watch(() => loop.schedule(config.watch.settleMs)))
  }
  const timers = sources.filter((s) => s.intervalMs).map((s) => setInterval(() => loop.schedule(0), s.intervalMs))
  // Cheap (one query, one readdir): catches bundles that live processes held at the last publish.
  timers.push(setInterval(() => void loop.tidySoon(), config.store.cacheCollectMs))
  const tick = startSchedulerTick({ runtime, config, logger: log, store })
  timers.push(
    watchPluginRequests(loop, {
      store,
      runtime,
      keepGenerations: config.store.keepGenerations,
      pinnedGenerations,
      logger: log,
      syncPass: (extra) => syncPlugins({ ...syncOptions, ...extra }),
    }),
  )
  log.info({ dataDir: config.dataDir, pluginsDir: config.pluginsDir, generation: await store.currentGenerationId() }, 'scheduler started')
  return {
    name: 'scheduler',
    async stop() {
      for (const t of timers) clearInterval(t)
      await runStopSteps(
        [
          ['stop the scheduler tick', () => tick.stop()],
          ...unwatchers.map((unwatch): StopStep => ['stop watching a plugin source', unwatch]),
          ['finish the publish pass in progress', () => loop.stop()],
          ['stop the dry-run thread', () => validate.stop()],
          ['mark this process stopped in runtime.db', () => proc.stop()],
          ...closeSteps(lock, store, runtime),
        ],
        log,
        config.dataDir,
      )
    },
  }
}

/** Operators' disable, enable and rollback requests (runtime.db) are looked for twice a second and applied between publish passes. */
function watchPluginRequests(loop: ReturnType<typeof createSyncLoop>, options: Parameters<typeof applyPluginRequests>[0]): NodeJS.Timeout {
  let busy = false
  return setInterval(() => {
    if (busy) return
    try {
      if (!hasPendingPluginRequests(options.runtime)) return
    } catch {
      return
    } // busy: the next look
    busy = true
    loop
      .exclusive(() => applyPluginRequests(options))
      .then((n) => {
        if (n) void loop.tidySoon()
      })
      .catch((error) => options.logger?.error({ err: error }, 'applying plugin requests failed'))
      .finally(() => {
        busy = false
      })
  }, PLUGIN_REQUEST_POLL_MS)
}

const PLUGIN_REQUEST_POLL_MS = 500
