import { openWriterBackend, type WriterBackend } from '../backend/open-backend.ts'
import type { RuntimeBackend } from '../backend/runtime-backend.ts'
import { createCompiler } from '../compile/create-compiler.ts'
import { ExitCode } from '../errors/app-error.ts'
import { tidyCache } from '../loader/collect-cache.ts'
import { createDryRun } from '../loader/create-dry-run.ts'
import { type ApplyOptions, applyPluginRequests } from '../publish/apply-plugin-requests.ts'
import { createSources } from '../publish/create-sources.ts'
import { createSyncLoop } from '../publish/create-sync-loop.ts'
import { syncPlugins } from '../publish/sync-plugins.ts'
import type { PluginRequests } from '../runtime/console-port.ts'
import { liveGenerationsOf } from '../runtime/read-processes.ts'
import { startSchedulerTick } from '../schedules/start-scheduler-tick.ts'
import { truncateWal } from '../store/truncate-wal.ts'
import type { Role, RoleContext } from './role.ts'
import { runStopSteps, type StopStep } from './stop-steps.ts'

/**
 * The only writer of the plugin store: holds the writer lock (a file lock beside plugins.db, or PostgreSQL's
 * advisory lock), publishes what the sources hold, watches for changes.
 */
export async function startScheduler(ctx: RoleContext): Promise<Role> {
  const { config } = ctx
  const log = ctx.logger.child({ role: 'scheduler' })
  const backend = await openWriterBackend(config, 'app --role=scheduler', (error) => {
    // The lock's connection broke: another scheduler may hold it now, so this one must not write another row.
    log.error({ err: error }, 'lost the writer lock in PostgreSQL; another scheduler may now write, so this one stops at once')
    process.exit(ExitCode.runtime)
  })
  const { store, runtime } = backend
  try {
    // A restart after a full disk: give the WAL and cache space back before writing anything (SQLite's files).
    await store.truncateWal()
    if (runtime.sqlite) truncateWal(runtime.sqlite)
    await tidyCache({ dataDir: config.dataDir, store, processes: processesOf(runtime), logger: log })
    return await runScheduler(ctx, log, backend)
  } catch (error) {
    await runStopSteps(closeSteps(backend), log, config.dataDir)
    throw error
  }
}

/** The process registry for what the cache and a publish must keep; null (keep everything) when it cannot be read. */
const processesOf = (runtime: RuntimeBackend) => () => runtime.processes.list().catch(() => null)

/** What the scheduler closes last: the WAL of plugins.db truncated, then the runtime tables, the store and the writer lock. */
function closeSteps(backend: WriterBackend): StopStep[] {
  return [
    ['truncate the WAL of plugins.db', () => backend.store.truncateWal()],
    ['close the runtime tables and the plugin store, and release the writer lock', () => backend.close()],
  ]
}

async function runScheduler({ config }: RoleContext, log: RoleContext['logger'], backend: WriterBackend): Promise<Role> {
  const { store, runtime } = backend
  const proc = await runtime.processes.register('scheduler')
  const sources = createSources(config)
  const storageBytes = config.limits.storageBytes
  // What a plugin's load() reads in the dry run: on SQLite the dry-run thread opens runtime.db read-only itself;
  // on PostgreSQL it asks this process, which reads with the scheduler's connection.
  const reads =
    runtime.kind === 'postgres' ? await runtime.hostServices({ role: 'scheduler', dataDir: config.dataDir, storageBytes }) : undefined
  const validate = createDryRun({ dataDir: config.dataDir, store, timeoutMs: config.loader.loadTimeoutMs, logger: log, reads })
  const processes = processesOf(runtime)
  const tidy = () => tidyCache({ dataDir: config.dataDir, store, processes, logger: log })
  const pinnedGenerations = async () => liveGenerationsOf((await processes()) ?? [])
  const compile = createCompiler({ dataDir: config.dataDir })
  const syncOptions = {
    store,
    dataDir: config.dataDir,
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
      requests: runtime.console.requests,
      keepGenerations: config.store.keepGenerations,
      pinnedGenerations,
      logger: log,
      syncPass: (extra) => syncPlugins({ ...syncOptions, ...extra }),
    }),
  )
  log.info(
    { dataDir: config.dataDir, pluginsDir: config.pluginsDir, backend: runtime.kind, generation: await store.currentGenerationId() },
    'scheduler started',
  )
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
          [`mark this process stopped in ${runtime.sqlite ? 'runtime.db' : 'the process registry'}`, () => proc.stop()],
          ...closeSteps(backend),
        ],
        log,
        config.dataDir,
      )
    },
  }
}

/** Operators' disable, enable and rollback requests (plugin_requests) are looked for twice a second and applied between publish passes. */
function watchPluginRequests(
  loop: ReturnType<typeof createSyncLoop>,
  options: ApplyOptions & { requests: PluginRequests },
): NodeJS.Timeout {
  let busy = false
  return setInterval(() => {
    if (busy) return
    busy = true
    options.requests
      .hasPending()
      .catch(() => false) // busy: the next look
      .then((pending) => (pending ? loop.exclusive(() => applyPluginRequests(options)) : 0))
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
