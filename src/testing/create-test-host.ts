import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import type { Hono } from 'hono'
import { createHostServices } from '../host/create-host-services.ts'
import { loadPlugins } from '../loader/create-plugin-host.ts'
import type { PluginHost } from '../loader/plugin-host.ts'
import { pluginHandlersOf } from '../loader/plugin-handlers.ts'
import { buildPluginReport } from '../report/plugin-report.ts'
import type { StoredWarning } from '../report/stored-warning.ts'
import { openRuntimeDb } from '../runtime/open-runtime.ts'
import { registerProcess } from '../runtime/process-registry.ts'
import { placeOf } from '../runtime/record-runtime-error.ts'
import type { ResourceInput } from '../resources/resource-schema.ts'
import { createStorageApi } from '../sdk/create-storage-api.ts'
import type { ResourceHookName } from '../sdk/host-services.ts'
import type { SettingValue } from '../settings/setting-declaration.ts'
import type { Db } from '../store/open-database.ts'
import { createWebApp } from '../web/create-web-app.ts'
import { allowedHostNames } from '../web/host-allowlist.ts'
import { createCaptureLog, pluginLines } from './capture-log.ts'
import { forgetHost, rememberHost } from './open-hosts.ts'
import { publishForTest, type PublishedForTest } from './publish-for-test.ts'
import { createTestJobs } from './test-host-jobs.ts'
import { addResources, setPluginSettings } from './test-host-parts.ts'
import { fireTestHook, runTestBot, type HookFiring, type TestBot } from './test-host-work.ts'

export interface TestHostOptions {
  plugin?: string
  settings?: Record<string, SettingValue | null>
  resources?: ResourceInput[]
  timeoutMs?: number
}

const DEFAULT_TIMEOUT_MS = 30_000

/**
 * `createTestHost()` of `app/plugin/testing` (DESIGN 5b): the plugin published
 * into a temporary data directory the scheduler's way, then loaded in this
 * process by the real loader over a real runtime.db, and driven the way the
 * roles drive it (types/plugin-testing.d.ts documents each call).
 */
export async function createTestHost(options: TestHostOptions = {}) {
  if (!options.plugin)
    throw new TypeError(
      "createTestHost: which plugin? Pass { plugin: '<the plugin folder>' }; under `app plugin test <dir>` it defaults to <dir>.",
    )
  const capture = createCaptureLog()
  // The publish's own lines (the dry run's summary) are the scheduler's, not the plugin's: kept apart from host.logs.
  const published = await publishForTest(options.plugin, createCaptureLog().logger)
  const runtime = openRuntimeDb(published.config.dataDir)
  let pluginHost: PluginHost | null = null
  try {
    const { entry, config, store } = published
    if (options.settings) setPluginSettings(runtime, entry.name, entry.manifest, options.settings)
    if (options.resources) await addResources(runtime, options.resources)
    const services = createHostServices(runtime, { role: 'test', dataDir: config.dataDir, storageBytes: config.limits.storageBytes })
    pluginHost = await loadPlugins({
      generation: await store.currentGeneration(),
      store,
      dataDir: config.dataDir,
      services,
      timeoutMs: config.loader.loadTimeoutMs,
      logger: capture.logger,
      guardProcess: false,
    })
    const report = pluginHost.reports().find((r) => r.plugin === entry.name)
    if (report?.status !== 'loaded') {
      throw new Error(
        `createTestHost: plugin "${entry.name}" ${entry.version} published but did not load:\n${(report?.warnings ?? []).map((w) => `  ${w.severity} ${w.code}: ${w.message}${w.detail ? `\n    ${w.detail.split('\n').slice(0, 12).join('\n    ')}` : ''}`).join('\n')}`,
      )
    }
    const host = testHostApi({
      published,
      runtime,
      pluginHost,
      services,
      lines: capture.lines,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      logger: capture.logger,
    })
    await host.refresh()
    rememberHost(host.api)
    return host.api
  } catch (error) {
    await pluginHost?.unloadAll().catch(() => {})
    runtime.close()
    await published.store.close()
    rmSync(published.tmp, { recursive: true, force: true })
    throw error
  }
}

export type TestHost = Awaited<ReturnType<typeof createTestHost>>

interface Parts {
  published: PublishedForTest
  runtime: Db
  pluginHost: PluginHost
  services: ReturnType<typeof createHostServices>
  lines: Array<Record<string, unknown>>
  timeoutMs: number
  logger: Parameters<typeof createTestJobs>[0]['logger']
}

/** The object a test drives; `refresh` re-reads the warnings after each call. */
function testHostApi(p: Parts) {
  const { entry, config, store } = p.published
  const name = entry.name
  const proc = registerProcess(p.runtime, 'test')
  const jobs = createTestJobs({
    runtime: p.runtime,
    handlers: pluginHandlersOf(p.pluginHost),
    services: p.services,
    logger: p.logger,
    timeoutMs: p.timeoutMs,
    maxAttempts: config.jobs.maxAttempts,
    owner: proc.id,
    where: placeOf('test'),
  })
  const work = { runtime: p.runtime, store, services: p.services, jobs, plugin: name }
  const token = randomBytes(32).toString('base64url')
  let web: Hono | null = null
  let warnings: StoredWarning[] = []
  let closed = false
  const refresh = async () => {
    await proc.reportLoad(p.pluginHost.reports())
    warnings = (await buildPluginReport(store, p.runtime)).plugins.find((x) => x.name === name)?.warnings ?? []
  }
  /** Each call runs, then re-reads the warnings, also when it throws: a test asserts on both. */
  const call =
    <A extends unknown[], R>(what: string, fn: (...args: A) => Promise<R> | R) =>
    async (...args: A): Promise<R> => {
      if (closed) throw new Error(`host.${what}: this test host was closed`)
      try {
        return await fn(...args)
      } finally {
        if (!closed) await refresh()
      }
    }
  const api = {
    plugin: Object.freeze({ name, version: entry.version }),
    dataDir: config.dataDir,
    resources: Object.freeze({
      add: call('resources.add', async (...list: Array<ResourceInput | ResourceInput[]>) => {
        const flat = list.flat()
        await addResources(p.runtime, flat)
        return Promise.all(flat.map(async (r) => (await p.services.resources.get(r.id))!))
      }),
      get: (id: string) => p.services.resources.get(id),
      find: (query?: Parameters<typeof p.services.resources.find>[0]) => p.services.resources.find(query),
    }),
    storage: createStorageApi(p.services, name, 'in the test host'),
    settings: Object.freeze({
      set: call('settings.set', (keyOrValues: string | Record<string, SettingValue | null>, value?: SettingValue | null) =>
        setPluginSettings(
          p.runtime,
          name,
          entry.manifest,
          typeof keyOrValues === 'string' ? { [keyOrValues]: value ?? null } : keyOrValues,
        ),
      ),
    }),
    runBot: call('runBot', (bot: TestBot) => runTestBot(work, bot)),
    runDueJobs: call('runDueJobs', (options: { now?: Date | number | string } = {}) =>
      jobs.runDueJobs(options.now === undefined ? Date.now() : timeOf(options.now)),
    ),
    fireHook: call('fireHook', (hook: ResourceHookName, change: HookFiring) => fireTestHook(work, hook, change)),
    request: call('request', (path: string, init: RequestInit & { signedIn?: boolean } = {}) => {
      web ??= createWebApp({
        store,
        runtime: p.runtime,
        token,
        allowedHosts: allowedHostNames('127.0.0.1'),
        host: p.pluginHost,
        logger: p.logger,
        pluginRouteTimeoutMs: p.timeoutMs,
      })
      const { signedIn, ...rest } = init
      const headers = new Headers(rest.headers)
      if (signedIn !== false) headers.set('authorization', `Bearer ${token}`)
      const url = path.startsWith('/') ? path : `/plugin/${name}/${path}`
      return web.request(`http://127.0.0.1${url}`, { ...rest, headers })
    }),
    get warnings() {
      return warnings.map((w) => ({ ...w, where: [...w.where] }))
    },
    get logs() {
      return pluginLines(p.lines, name)
    },
    async close() {
      if (closed) return
      closed = true
      forgetHost(api)
      await p.pluginHost.unloadAll()
      await proc.stop()
      p.runtime.close()
      await store.close()
      rmSync(p.published.tmp, { recursive: true, force: true })
    },
  }
  return { api, refresh }
}

function timeOf(value: Date | number | string): number {
  const at = new Date(value).getTime()
  if (Number.isNaN(at))
    throw new TypeError(`host.runDueJobs({ now }): expected a Date, ms since the epoch or an ISO date; found ${JSON.stringify(value)}`)
  return at
}
