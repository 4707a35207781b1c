import type { Command } from 'commander'
import { pluginDetail, type PluginDetail } from '../../report/plugin-detail.ts'
import { print, printJson } from '../print-output.ts'
import { openForReading } from './open-for-reading.ts'

/** The human form of `app plugins show`: the same data as --json. */
function printDetail(data: PluginDetail): void {
  const meta = (data.manifest.metadata ?? {}) as Record<string, string>
  print(`${data.name} ${data.version}  [${data.status}]`)
  if (meta.description) print(meta.description)
  print(`source:  ${data.source} ${data.origin}\nsha256:  ${data.sha256}\npublished: ${data.publishedAt}`)
  print(
    `signature: ${data.signature ? `${data.signature.state}${data.signature.keyId ? ` (key ${data.signature.keyId})` : ''}` : 'not checked'}`,
  )
  print(`\nwarnings (${data.warnings.length}):`)
  for (const w of data.warnings) print(`  ${w.severity} ${w.code}: ${w.message}`)
  const reg = (data.registered ?? {}) as Record<string, unknown[]>
  print(
    `\nregistered: ${['filters', 'actions', 'eventTypes', 'routes', 'frontend', 'jobs', 'hooks'].map((k) => `${k} ${(reg[k] ?? []).length}`).join(', ')}`,
  )
  print(`processes (${data.processes.length}):`)
  for (const x of data.processes) print(`  ${x.role}@${x.host}:${x.pid} ${x.version ?? '-'} ${x.status} generation ${x.generation ?? '-'}`)
  print(`\nhistory:`)
  for (const h of data.history) print(`  ${h.version} ${h.status} ${h.sha256.slice(0, 12)} generations ${h.generations.join(',') || '-'}`)
}

/** `app plugins show <name> [--json]`: one plugin's manifest, status, warnings, processes and history. */
export function addPluginsShowCommand(plugins: Command): void {
  plugins
    .command('show')
    .description('one plugin: manifest, status, warnings, history')
    .argument('<name>', 'plugin name')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
      const { store, runtime, close } = await openForReading(cmd)
      try {
        const data = await pluginDetail(store, runtime, name)
        if (opts.json) return void printJson(data)
        printDetail(data)
      } finally {
        await close()
      }
    })
}
