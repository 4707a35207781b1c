import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { configSchema, type Config } from '../config/config-schema.ts'
import type { Logger } from '../log/create-logger.ts'
import { publishOnce } from '../publish/publish-once.ts'
import { openRuntimeDb } from '../runtime/open-runtime.ts'
import { openReadonlyStore, type Store } from '../store/open-store.ts'
import type { GenerationEntry } from '../store/store-types.ts'

export interface PublishedForTest {
  /** The temporary directory: plugins/ (the copy) and data/. */
  tmp: string
  config: Config
  store: Store
  entry: GenerationEntry
}

/** Copies a plugin folder (or single-file plugin), leaving out dot entries (.git, editors' files, an old .app-build). */
export function copyPlugin(source: string, target: string): void {
  if (statSync(source).isFile()) return copyFileSync(source, target)
  cpSync(source, target, { recursive: true, filter: (path) => path === source || !basename(path).startsWith('.') })
}

const listed = (ws: Array<{ code: string; severity: string; message: string; detail?: string | null }>) =>
  ws
    .map(
      (w) =>
        `  ${w.severity} ${w.code}: ${w.message}${w.detail && w.detail !== w.message ? `\n    ${w.detail.split('\n').slice(0, 12).join('\n    ')}` : ''}`,
    )
    .join('\n')

/**
 * The plugin published into a temporary data directory exactly as the
 * scheduler publishes (`app plugins sync`: scan, TypeScript compiled, the dry
 * run, one generation), with runtime.db in place so its jobs and hook
 * subscriptions are written too. Throws, naming every error, when the plugin
 * does not publish as loadable; the temporary directory is then removed.
 */
export async function publishForTest(pluginPath: string, logger: Logger): Promise<PublishedForTest> {
  const source = resolve(pluginPath)
  if (!statSync(source, { throwIfNoEntry: false }))
    throw new Error(
      `createTestHost: ${source} does not exist. Pass { plugin: '<the plugin folder>' } (app plugin test passes the folder it runs).`,
    )
  const tmp = mkdtempSync(join(tmpdir(), 'app-test-host-'))
  let store: Store | null = null
  try {
    const config = configSchema.parse({ dataDir: join(tmp, 'data'), pluginsDir: join(tmp, 'plugins'), watch: { settleMs: 0 } })
    mkdirSync(config.pluginsDir)
    copyPlugin(source, join(config.pluginsDir, basename(source)))
    openRuntimeDb(config.dataDir).close()
    await publishOnce(config, { logger, reason: 'createTestHost' })
    store = await openReadonlyStore(config.dataDir)
    const generation = await store.currentGeneration()
    const entry = generation?.plugins[0]
    if (!entry) {
      const notices = await store.notices()
      throw new Error(
        `createTestHost: ${source} was not published as a plugin${notices.length ? `:\n${listed(notices)}` : ' (no plugin.json, package.json "appPlugin" or exported manifest found)'}`,
      )
    }
    if (entry.status === 'error')
      throw new Error(
        `createTestHost: plugin "${entry.name}" ${entry.version} failed to publish, as it would in the scheduler (\`app plugins sync\`):\n${listed(entry.warnings)}`,
      )
    return { tmp, config, store, entry }
  } catch (error) {
    await store?.close()
    rmSync(tmp, { recursive: true, force: true })
    throw error
  }
}
