import { acquireWriterLock } from '../lock/writer-lock.ts'
import { openRuntimeDb } from '../runtime/open-runtime.ts'
import { registerProcess } from '../runtime/process-registry.ts'
import { createSources } from '../publish/create-sources.ts'
import { createSyncLoop } from '../publish/create-sync-loop.ts'
import { startSchedulerTick } from '../schedules/start-scheduler-tick.ts'
import { createDryRun } from '../loader/create-dry-run.ts'
import { createCompiler } from '../compile/create-compiler.ts'
import { openWritableStore } from '../store/open-store.ts'
import type { Role, RoleContext } from './role.ts'

/** The only writer of plugins.db: holds the lock, publishes what the sources hold, watches for changes. */
export async function startScheduler({ config, logger }: RoleContext): Promise<Role> {
  const log = logger.child({ role: 'scheduler' })
  const lock = await acquireWriterLock(config.dataDir, 'app --role=scheduler')
  const store = await openWritableStore(config.dataDir)
  const runtime = openRuntimeDb(config.dataDir)
  const proc = registerProcess(runtime, 'scheduler')
  const sources = createSources(config)
  const validate = createDryRun({ dataDir: config.dataDir, store, timeoutMs: config.loader.loadTimeoutMs, logger: log })
  const compile = createCompiler({ dataDir: config.dataDir })
  const loop = createSyncLoop({ store, sources, validate, compile, logger: log, keepGenerations: config.store.keepGenerations, reason: 'scan' })
  await loop.runNow()
  await proc.setGeneration(await store.currentGenerationId())
  const unwatchers: Array<() => Promise<void>> = []
  for (const source of sources) {
    if (source.watch) unwatchers.push(await source.watch(() => loop.schedule(config.watch.settleMs)))
  }
  const timers = sources.filter((s) => s.intervalMs).map((s) => setInterval(() => loop.schedule(0), s.intervalMs))
  const tick = startSchedulerTick({ runtime, config, logger: log })
  log.info({ dataDir: config.dataDir, pluginsDir: config.pluginsDir, generation: await store.currentGenerationId() }, 'scheduler started')
  return {
    name: 'scheduler',
    async stop() {
      for (const t of timers) clearInterval(t)
      await tick.stop()
      for (const unwatch of unwatchers) await unwatch()
      await loop.stop()
      await validate.dispose()
      await proc.stop()
      runtime.close()
      await store.close()
      await lock.release()
    },
  }
}
