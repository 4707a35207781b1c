import { loadSharedPluginHost } from '../loader/load-shared-plugin-host.ts'
import { openRuntimeDb } from '../runtime/open-runtime.ts'
import { registerProcess } from '../runtime/process-registry.ts'
import { settingsWarnings } from '../report/settings-warnings.ts'
import { openReadonlyStore } from '../store/open-store.ts'
import { closeDatabase } from '../store/truncate-wal.ts'
import type { RoleContext } from './role.ts'
import { runStopSteps } from './stop-steps.ts'

/** How often a reader role looks for a newer generation (one cheap query). */
const GENERATION_POLL_MS = 1000

/**
 * What worker and web share: plugins.db opened read-only (SQLite refuses
 * writes), waiting for the scheduler to create it; runtime.db read-write; the
 * current generation's plugins loaded (one host per process), their load
 * reports in runtime.db; a process registration that records the generation
 * it loaded. A newer generation is loaded only with --reload; without it the
 * role says once that a restart will pick it up. The exception is a role that
 * started before any generation existed: it loads the first one as soon as it
 * is published (DESIGN section 1, roles started in any order).
 */
export async function startReaderRole(role: 'worker' | 'web', { config, logger }: RoleContext) {
  const log = logger.child({ role })
  const store = await openReadonlyStore(config.dataDir, {
    check: true,
    waitMs: config.store.waitMs,
    onWait: (file) => log.info({ file, waitMs: config.store.waitMs }, 'waiting for the scheduler to create the plugin store'),
  })
  const generation = await store.currentGeneration()
  const runtime = openRuntimeDb(config.dataDir)
  const proc = registerProcess(runtime, role)
  const { host: plugins, unload: unloadPlugins } = await loadSharedPluginHost({
    dataDir: config.dataDir,
    generation,
    store,
    timeoutMs: config.loader.loadTimeoutMs,
    logger: log,
    reload: config.reload,
    role: config.role === 'all' ? 'all' : role,
    storageBytes: config.limits.storageBytes,
  })
  const report = () => proc.reportLoad(plugins.reports()).catch((error) => log.warn({ err: error }, 'could not record load reports'))
  await proc.setGeneration(plugins.generation)
  await report()
  // SETTINGS_INVALID, said where the operator looks first: this role's log. The report shows it until fixed.
  const warnSettings = async () => {
    const loaded = new Set(plugins.plugins().map((p) => p.plugin))
    const entries = ((await store.generation(plugins.generation ?? 0))?.plugins ?? []).filter((p) => loaded.has(p.name))
    for (const w of settingsWarnings(runtime, entries, new Map(), plugins.generation))
      log.warn({ plugin: w.plugin, version: w.version, code: w.code }, w.message)
  }
  await warnSettings().catch((error) => log.warn({ err: error }, 'could not check plugin settings'))
  const offChange = plugins.onChange(() => {
    void report()
  })

  let closed = false
  let told: number | null = null
  let reloading = false
  const poll = setInterval(async () => {
    if (reloading) return
    try {
      const latest = await store.currentGenerationId()
      if (latest === null || latest === plugins.generation) return
      // Started before the first publish (roles started together): nothing loaded, nothing to unload,
      // so the first generation loads now, without --reload and without a restart.
      const first = plugins.generation === null
      if (!config.reload && !first) {
        if (told !== latest)
          log.info(
            { loaded: plugins.generation, published: latest },
            `generation ${latest} is published; this ${role} runs generation ${plugins.generation ?? 'none'} until it restarts (or run it with --reload)`,
          )
        told = latest
        return
      }
      reloading = true
      if (first)
        log.info({ generation: latest }, `generation ${latest} is published: loading it (this ${role} started before the first one)`)
      await plugins.reload(latest)
      await proc.setGeneration(plugins.generation)
      await warnSettings()
    } catch (error) {
      log.warn({ err: error }, 'could not check for or load a newer plugin generation')
    } finally {
      reloading = false
    }
  }, GENERATION_POLL_MS)
  poll.unref()

  log.info(
    { generation: plugins.generation, plugins: generation?.plugins.length ?? 0, loaded: plugins.plugins().length },
    `${role} started`,
  )
  return {
    log,
    store,
    runtime,
    proc,
    generation,
    plugins,
    async close() {
      if (closed) return
      closed = true
      clearInterval(poll)
      offChange()
      // Each step runs whatever the one before did: a failed registry update must not leave the files open.
      await runStopSteps(
        [
          ['unload the plugins', unloadPlugins],
          ['mark this process stopped in runtime.db', () => proc.stop()],
          ['close runtime.db', () => closeDatabase(runtime)],
          ['close plugins.db', () => store.close()],
        ],
        log,
        config.dataDir,
      )
    },
  }
}
