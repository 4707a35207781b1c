import { cpSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadPlugins } from '../../src/loader/create-plugin-host.ts'
import type { LoadPluginsOptions } from '../../src/loader/plugin-host.ts'
import { pluginDetail } from '../../src/report/plugin-detail.ts'
import { pluginListJson, warningListJson } from '../../src/report/plugin-json.ts'
import { buildPluginReport } from '../../src/report/plugin-report.ts'
import { openRuntimeDb } from '../../src/runtime/open-runtime.ts'
import { openReadonlyStore } from '../../src/store/open-store.ts'
import { ROOT, runCli, tempDir } from '../helpers/cli.ts'
import { publishInProcess } from '../helpers/publish.ts'

export const FIXTURES = join(ROOT, 'test/fixtures/plugins')
/** Short enough to keep timeout tests quick, long enough for a busy 2-core machine. */
export const TEST_LOAD_TIMEOUT_MS = 3000

/**
 * An install directory with the named fixture plugins in plugins/. The root
 * has a package.json saying "type": "module", as a checkout of the host has:
 * it must not decide how plugin files are read.
 */
export function installWith(
  t: { onTestFinished(fn: () => unknown): void },
  fixtures: string[],
): { root: string; pluginsDir: string; dataDir: string } {
  const root = tempDir(t, 'app-loader-')
  writeFileSync(join(root, 'package.json'), '{ "name": "not-the-plugin", "type": "module" }\n')
  const pluginsDir = join(root, 'plugins')
  mkdirSync(pluginsDir)
  for (const name of fixtures) addFixture(pluginsDir, name)
  return { root, pluginsDir, dataDir: join(root, 'data') }
}

export function addFixture(pluginsDir: string, name: string, as = name): void {
  cpSync(join(FIXTURES, name), join(pluginsDir, as), { recursive: true })
}

/** The publish pass of `app plugins sync`, dry run included, in this process. */
export function publish(root: string, env: Record<string, string> = {}) {
  return publishInProcess(join(root, 'data'), join(root, 'plugins'), { APP_LOAD_TIMEOUT_MS: String(TEST_LOAD_TIMEOUT_MS), ...env })
}

/** `app <args> --json` run for real, as a user would: for tests about the CLI itself (a spawn costs about a second). */
export async function cliJson(root: string, args: string[]) {
  const result = await runCli([...args, '--json', '--data-dir', 'data'], { cwd: root })
  if (result.code !== 0) throw new Error(`app ${args.join(' ')} exited ${result.code}:\n${result.stderr}`)
  return JSON.parse(result.stdout)
}

/**
 * What `app plugins list|warnings|show <name> --json` prints for the install at root, built in this process
 * by the report functions the CLI calls, on the same plugins.db (read-only) and runtime.db, and passed
 * through JSON as the CLI prints it. It saves a CLI process per call; worker-load.test.ts keeps a real-CLI check.
 */
export async function reportJson(root: string, args: ['plugins', 'list' | 'warnings'] | ['plugins', 'show', string]) {
  const dataDir = join(root, 'data')
  const store = await openReadonlyStore(dataDir, { waitMs: 0 })
  const runtime = openRuntimeDb(dataDir)
  try {
    const data =
      args[1] === 'show'
        ? await pluginDetail(store, runtime, args[2]!)
        : args[1] === 'list'
          ? pluginListJson(await buildPluginReport(store, runtime))
          : warningListJson(await buildPluginReport(store, runtime))
    return JSON.parse(JSON.stringify(data))
  } finally {
    runtime.close()
    await store.close()
  }
}

/** Loads the current generation in this process, as a role does (without the process-wide error guards, which belong to roles). */
export async function loadCurrent(
  t: { onTestFinished(fn: () => unknown): void },
  dataDir: string,
  options: Partial<LoadPluginsOptions> = {},
) {
  const store = await openReadonlyStore(dataDir)
  const host = await loadPlugins({
    generation: await store.currentGeneration(),
    store,
    dataDir,
    services: null,
    timeoutMs: TEST_LOAD_TIMEOUT_MS,
    guardProcess: false,
    ...options,
  })
  t.onTestFinished(async () => {
    await host.unloadAll()
    await store.close()
  })
  return { host, store }
}

export { waitUntil } from '../helpers/wait-until.ts'

export interface ReportRow {
  process_id: string
  role: string
  pid: number
  plugin: string
  version: string | null
  status: string
  warnings: Array<{ code: string; severity: string; message: string }>
}

/** Load reports of one process (by pid) from runtime.db. */
export function loadReportsOf(dataDir: string, pid: number): ReportRow[] {
  const db = openRuntimeDb(dataDir)
  try {
    return (
      db
        .prepare(
          `SELECT r.process_id, p.role, p.pid, r.plugin, r.version, r.status, r.warnings FROM load_reports r JOIN processes p ON p.id = r.process_id WHERE p.pid = ? AND p.stopped_at IS NULL ORDER BY r.plugin`,
        )
        .all(pid) as Array<ReportRow & { warnings: string }>
    ).map((r) => ({ ...r, warnings: JSON.parse(r.warnings as unknown as string) }))
  } finally {
    db.close()
  }
}
