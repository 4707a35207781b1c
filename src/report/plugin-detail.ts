import { AppError, ExitCode } from '../errors/app-error.ts'
import type { Db } from '../store/open-database.ts'
import type { StoreReader } from '../store/store-reader.ts'
import type { ReportRuntime } from './report-runtime.ts'
import { pluginJson, warningJson } from './plugin-json.ts'
import { pluginProcesses } from './plugin-processes.ts'
import { buildPluginReport } from './plugin-report.ts'

/** Everything `app plugins show <name>` says about one plugin. */
export type PluginDetail = Awaited<ReturnType<typeof pluginDetail>>

/**
 * One plugin of the current generation, as `app plugins show <name> --json` prints it: the list row with
 * full warnings, manifest, signature, what the dry run saw registered, the live processes that run it and
 * its version history. A name the generation lacks is PLUGIN_NOT_FOUND (exit 1), naming the plugins it has.
 */
export async function pluginDetail(store: StoreReader, runtime: ReportRuntime | Db, name: string) {
  const report = await buildPluginReport(store, runtime)
  const p = report.plugins.find((x) => x.name === name)
  if (!p) {
    const names = report.plugins.map((x) => x.name)
    throw new AppError(
      'PLUGIN_NOT_FOUND',
      `no plugin named "${name}" in generation ${report.generation ?? 'none'}${names.length ? `; plugins: ${names.join(', ')}` : ''}. \`app plugins list\` shows them.`,
      { exitCode: ExitCode.runtime },
    )
  }
  const history = await store.history(name)
  return {
    ...pluginJson(p),
    warnings: p.warnings.map(warningJson),
    manifest: p.entry.manifest,
    signature: p.entry.signature,
    registered: p.entry.registered,
    processes: await pluginProcesses(runtime, name),
    publishedAt: p.entry.publishedAt,
    history: history.map((h) => ({
      version: h.version,
      status: h.status,
      sha256: h.bundleSha256,
      source: h.source,
      origin: h.origin,
      publishedAt: h.publishedAt,
      generations: h.generations,
    })),
  }
}
