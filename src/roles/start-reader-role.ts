import { acquirePluginHost } from '../loader/acquire-plugin-host.ts'
import { openRuntimeDb } from '../runtime/open-runtime.ts'
import { registerProcess } from '../runtime/process-registry.ts'
import { openReadonlyStore } from '../store/open-store.ts'
import type { RoleContext } from './role.ts'

/** How often a reader role looks for a newer generation (one cheap query). */
const GENERATION_POLL_MS = 1000

/**
 * What worker and web share: plugins.db opened read-only (SQLite refuses
 * writes), waiting for the scheduler to create it; runtime.db read-write; the
 * current generation's plugins loaded (one host per process), their load
 * reports in runtime.db; a process registration that records the generation
 * it loaded. A newer generation is loaded only with --reload; without it the
 * role says once that a restart will pick it up.
 */
export async function startReaderRole(role: 'worker' | 'web', { config, logger }: RoleContext) {
  const log = logger.child({ role })
  const store = await openReadonlyStore(config.dataDir, {
    waitMs: config.store.waitMs,
    onWait: (file) => log.info({ file, waitMs: config.store.waitMs }, 'waiting for the scheduler to create the plugin store'),
  })
  const generation = await store.currentGeneration()
  const runtime = openRuntimeDb(config.dataDir)
  const proc = registerProcess(runtime, role)
  const { host: plugins, release } = await acquirePluginHost({ dataDir: config.dataDir, generation, store, timeoutMs: config.loader.loadTimeoutMs, logger: log, reload: config.reload })
  const report = () => proc.reportLoad(plugins.reports()).catch((error) => log.warn({ err: error }, 'could not record load reports'))
  await proc.setGeneration(plugins.generation)
  await report()
  const offChange = plugins.onChange(() => { void report() })

  let closed = false
  let told: number | null = null
  let reloading = false
  const poll = setInterval(async () => {
    if (reloading) return
    try {
      const latest = await store.currentGenerationId()
      if (latest === null || latest === plugins.generation) return
      if (!config.reload) {
        if (told !== latest) log.info({ loaded: plugins.generation, published: latest }, `generation ${latest} is published; this ${role} runs generation ${plugins.generation ?? 'none'} until it restarts (or run it with --reload)`)
        told = latest
        return
      }
      reloading = true
      await plugins.reload(latest)
      await proc.setGeneration(plugins.generation)
    } catch (error) {
      log.warn({ err: error }, 'could not check for or load a newer plugin generation')
    } finally {
      reloading = false
    }
  }, GENERATION_POLL_MS)
  poll.unref()

  log.info({ generation: plugins.generation, plugins: generation?.plugins.length ?? 0, loaded: plugins.plugins().length }, `${role} started`)
  return {
    log, store, runtime, proc, generation, plugins,
    async close() {
      if (closed) return
      closed = true
      clearInterval(poll)
      offChange()
      await release()
      await proc.stop()
      runtime.close()
      await store.close()
    },
  }
}
