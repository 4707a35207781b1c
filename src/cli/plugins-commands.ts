import type { Command } from 'commander'
import { AppError, ExitCode } from '../errors/app-error.ts'
import { openWriterLock } from '../lock/writer-lock.ts'
import { buildPluginReport, type PluginSummary } from '../report/plugin-report.ts'
import { pluginProcesses } from '../report/plugin-processes.ts'
import type { StoredWarning } from '../report/stored-warning.ts'
import { openRuntimeDb } from '../runtime/open-runtime.ts'
import { publishOnce } from '../publish/publish-once.ts'
import { openReadonlyStore, openWritableStore } from '../store/open-store.ts'
import { contextFromCommand } from './cli-context.ts'
import { formatTable } from './format-table.ts'
import { addPackCommands } from './pack-commands.ts'
import { addPluginsDisableCommand } from './plugins-disable-command.ts'
import { addPluginsEnableCommand } from './plugins-enable-command.ts'
import { addPluginsSettingsCommand } from './plugins-settings-command.ts'
import { addPluginsStorageCommand } from './plugins-storage-command.ts'
import { print, printJson } from './print-output.ts'

const warningJson = (w: StoredWarning) => ({
  code: w.code, severity: w.severity, plugin: w.plugin, version: w.version, message: w.message, detail: w.detail,
  where: w.where, generation: w.generation, firstSeen: w.firstSeen, lastSeen: w.lastSeen, count: w.count,
})

export const pluginJson = (p: PluginSummary) => ({
  name: p.name, version: p.version, status: p.status, source: p.source, origin: p.origin, sha256: p.sha256,
  warnings: p.warnings.map((w) => ({ code: w.code, severity: w.severity, message: w.message })),
})

/** Reads plugins.db read-only (never waits: a missing store is exit 4) plus runtime.db when present. */
async function openForReading(cmd: Command) {
  const { config } = contextFromCommand(cmd)
  const store = await openReadonlyStore(config.dataDir, { waitMs: 0 })
  const runtime = openRuntimeDb(config.dataDir)
  return { config, store, runtime, close: async () => { runtime.close(); await store.close() } }
}

export function addPluginsCommands(program: Command): void {
  const plugins = program.command('plugins').description('inspect and manage the plugin store')
  addPackCommands(plugins)
  addPluginsSettingsCommand(plugins)
  addPluginsStorageCommand(plugins)
  addPluginsDisableCommand(plugins)
  addPluginsEnableCommand(plugins)

  plugins.command('list').description('list the plugins of the current generation with their status')
    .option('--json', 'print JSON: {"generation", "plugins": [...]}')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { store, runtime, close } = await openForReading(cmd)
      try {
        const report = await buildPluginReport(store, runtime)
        if (opts.json) return void printJson({ generation: report.generation, plugins: report.plugins.map(pluginJson) })
        if (!report.plugins.length) return void print(`no plugins (generation ${report.generation ?? 'none'})`)
        print(formatTable(['NAME', 'VERSION', 'STATUS', 'SOURCE', 'WARNINGS', 'ORIGIN'], report.plugins.map((p) => [p.name, p.version, p.status, p.source, String(p.warnings.length), p.origin])))
        print(`\ngeneration ${report.generation}, ${report.plugins.length} plugin(s); \`app plugins warnings\` shows the warnings`)
      } finally { await close() }
    })

  plugins.command('warnings').description('every warning seen while plugins were published or loaded, merged')
    .option('--json', 'print JSON: {"warnings": [...]}')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { store, runtime, close } = await openForReading(cmd)
      try {
        const report = await buildPluginReport(store, runtime)
        if (opts.json) return void printJson({ warnings: report.warnings.map(warningJson) })
        if (!report.warnings.length) return void print('no warnings')
        print(formatTable(['SEVERITY', 'PLUGIN', 'CODE', 'WHERE', 'MESSAGE'], report.warnings.map((w) => [w.severity, w.plugin ?? '-', w.code, w.where.join(','), w.message])))
      } finally { await close() }
    })

  plugins.command('show').description('one plugin: manifest, status, warnings, history').argument('<name>', 'plugin name')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
      const { store, runtime, close } = await openForReading(cmd)
      try {
        const report = await buildPluginReport(store, runtime)
        const p = report.plugins.find((x) => x.name === name)
        if (!p) {
          const names = report.plugins.map((x) => x.name)
          throw new AppError('PLUGIN_NOT_FOUND', `no plugin named "${name}" in generation ${report.generation ?? 'none'}${names.length ? `; plugins: ${names.join(', ')}` : ''}. \`app plugins list\` shows them.`, { exitCode: ExitCode.runtime })
        }
        const history = await store.history(name)
        const data = {
          ...pluginJson(p), warnings: p.warnings.map(warningJson), manifest: p.entry.manifest, signature: p.entry.signature,
          registered: p.entry.registered, processes: await pluginProcesses(runtime, name), publishedAt: p.entry.publishedAt,
          history: history.map((h) => ({ version: h.version, status: h.status, sha256: h.bundleSha256, source: h.source, origin: h.origin, publishedAt: h.publishedAt, generations: h.generations })),
        }
        if (opts.json) return void printJson(data)
        const meta = (p.entry.manifest.metadata ?? {}) as Record<string, string>
        print(`${p.name} ${p.version}  [${p.status}]`)
        if (meta.description) print(meta.description)
        print(`source:  ${p.source} ${p.origin}\nsha256:  ${p.sha256}\npublished: ${p.entry.publishedAt}`)
        print(`signature: ${p.entry.signature ? `${p.entry.signature.state}${p.entry.signature.keyId ? ` (key ${p.entry.signature.keyId})` : ''}` : 'not checked'}`)
        print(`\nwarnings (${p.warnings.length}):`)
        for (const w of p.warnings) print(`  ${w.severity} ${w.code}: ${w.message}`)
        const reg = (p.entry.registered ?? {}) as Record<string, unknown[]>
        print(`\nregistered: ${['filters', 'actions', 'eventTypes', 'routes', 'frontend', 'jobs', 'hooks'].map((k) => `${k} ${(reg[k] ?? []).length}`).join(', ')}`)
        print(`processes (${data.processes.length}):`)
        for (const x of data.processes) print(`  ${x.role}@${x.host}:${x.pid} ${x.version ?? '-'} ${x.status} generation ${x.generation ?? '-'}`)
        print(`\nhistory:`)
        for (const h of data.history) print(`  ${h.version} ${h.status} ${h.sha256.slice(0, 12)} generations ${h.generations.join(',') || '-'}`)
      } finally { await close() }
    })

  plugins.command('sync').description('one publish pass over every source, then exit (takes the writer lock)')
    .action(async (_opts: unknown, cmd: Command) => {
      const { config, logger } = contextFromCommand(cmd)
      const tty = process.stderr.isTTY
      const onProgress = tty ? (done: number, total: number) => { if (done % 10 === 0 || done === total) process.stderr.write(`\rchecking plugins ${done}/${total}`) } : undefined
      const result = await publishOnce(config, { logger, onProgress })
      if (tty) process.stderr.write('\n')
      print(result.changed ? `published generation ${result.generation} (${result.plugins} plugins)` : `no change: generation ${result.generation ?? 'none'} (${result.plugins} plugins)`)
    })

  plugins.command('rollback').description('publish a new generation with the plugin set of an older one').argument('<generation>', 'generation id (see `app plugins generations`)')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const target = Number(id)
      if (!Number.isInteger(target) || target < 1) throw new AppError('USAGE', `generation must be a positive integer; found "${id}"`, { exitCode: ExitCode.usage })
      const { config } = contextFromCommand(cmd)
      const lock = await openWriterLock(config.dataDir, 'app plugins rollback')
      const store = await openWritableStore(config.dataDir)
      try {
        const exists = await store.generation(target)
        if (!exists) {
          const kept = (await store.listGenerations(5)).map((g) => g.id)
          throw new AppError('GENERATION_NOT_FOUND', `generation ${target} is not in the store; recent generations: ${kept.join(', ') || 'none'}. Old generations are pruned after store.keepGenerations.`, { exitCode: ExitCode.runtime })
        }
        const generation = await store.rollback(target)
        print(`published generation ${generation} with the plugins of generation ${target}; restart the roles (or run them with --reload) to load it`)
      } finally {
        await store.close()
        await lock.close()
      }
    })

  plugins.command('generations').description('list the generations kept in the store')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { store, close } = await openForReading(cmd)
      try {
        const gens = await store.listGenerations(100)
        if (opts.json) return void printJson({ generations: gens })
        print(formatTable(['ID', 'CREATED', 'PLUGINS', 'REASON'], gens.map((g) => [String(g.id), g.createdAt, String(g.pluginCount), g.reason])))
      } finally { await close() }
    })
}
