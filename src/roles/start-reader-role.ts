import { openReaderBackend } from '../backend/open-backend.ts'
import type { RuntimeBackend } from '../backend/runtime-backend.ts'
import { openSqliteRuntimeBackend } from '../backend/sqlite-runtime-backend.ts'
import { loadSharedPluginHost } from '../loader/load-shared-plugin-host.ts'
import { settingsWarningsOf } from '../report/settings-warnings.ts'
import { DEFAULT_STORAGE_BYTES } from '../storage/plugin-storage.ts'
import type { RoleContext } from './role.ts'
import { runStopSteps } from './stop-steps.ts'

/** How often a reader role looks for a newer generation (one cheap query). */
const GENERATION_POLL_MS = 1000

/**
 * What worker and web share: the plugin store opened read-only (SQLite refuses
 * writes, and on PostgreSQL the role's grants do), waiting for the scheduler to create it; the runtime tables; the
 * current generation's plugins loaded (one host per process), their load
 * reports in runtime.db; a process registration that records the generation
 * it loaded. A newer generation is loaded only with --reload; without it the
 * role says once that a restart will pick it up. The exception is a role that
 * started before any generation existed: it loads the first one as soon as it
 * is published (DESIGN section 1, roles started in any order).
 */
export async function startReaderRole(role: 'worker' | 'web', { config, logger }: RoleContext) {
  const log = logger.child({ role })
  const backend = await openReaderBackend(config, role, {
    check: true,
    waitMs: config.store.waitMs,
    onWait: (file) => log.info({ file, waitMs: config.store.waitMs }, 'waiting for the scheduler to create the plugin store'),
  })
  const { store, runtime } = backend
  const generation = await store.currentGeneration()
  const proc = await runtime.processes.register(role)
  const { host: plugins, unload: unloadPlugins } = await loadSharedPluginHost({
    dataDir: config.dataDir,
    generation,
    store,
    timeoutMs: config.loader.loadTimeoutMs,
    logger: log,
    reload: config.reload,
    services: () => pluginServices(config, role, runtime),
  })
  const report = () => proc.reportLoad(plugins.reports()).catch((error) => log.warn({ err: error }, 'could not record load reports'))
  await proc.setGeneration(plugins.generation)
  await report()
  // SETTINGS_INVALID, said where the operator looks first: this role's log. The report shows it until fixed.
  const warnSettings = async () => {
    const loaded = new Set(plugins.plugins().map((p) => p.plugin))
    const entries = ((await store.generation(plugins.generation ?? 0))?.plugins ?? []).filter((p) => loaded.has(p.name))
    if (!entries.length) return
    const loads = (await runtime.processes.loadReports()).filter((r) => r.status === 'loaded')
    for (const w of settingsWarningsOf(await runtime.settings.readAll(), loads, entries, new Map(), plugins.generation))
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
          [`mark this process stopped${runtime.kind === 'sqlite' ? ' in runtime.db' : ''}`, () => proc.stop()],
          ['close the plugin store and the runtime tables', () => backend.close()],
        ],
        log,
        config.dataDir,
      )
    },
  }
}

/**
 * The plugins' SDK services: on SQLite over a runtime.db connection of their own, so a plugin's writes never
 * wait behind the role's; on PostgreSQL over the role's pool.
 */
async function pluginServices(config: RoleContext['config'], role: 'worker' | 'web', runtime: RuntimeBackend) {
  const own = runtime.kind === 'sqlite' ? openSqliteRuntimeBackend(config.dataDir) : runtime
  const storageBytes = config.limits.storageBytes ?? DEFAULT_STORAGE_BYTES
  return {
    services: await own.hostServices({ role: config.role === 'all' ? 'all' : role, dataDir: config.dataDir, storageBytes }),
    close: () => void (own === runtime ? undefined : own.close()),
  }
}
