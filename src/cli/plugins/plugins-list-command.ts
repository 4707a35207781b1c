import type { Command } from 'commander'
import { pluginListJson } from '../../report/plugin-json.ts'
import { buildPluginReport } from '../../report/plugin-report.ts'
import { formatTable } from '../format-table.ts'
import { print, printJson } from '../print-output.ts'
import { openForReading } from './open-for-reading.ts'

/** `app plugins list [--json]`: the plugins of the current generation with their status. */
export function addPluginsListCommand(plugins: Command): void {
  plugins
    .command('list')
    .description('list the plugins of the current generation with their status')
    .option('--json', 'print JSON: {"generation", "plugins": [...]}')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { store, runtime, close } = await openForReading(cmd)
      try {
        const report = await buildPluginReport(store, runtime)
        if (opts.json) return void printJson(pluginListJson(report))
        if (!report.plugins.length) return void print(`no plugins (generation ${report.generation ?? 'none'})`)
        print(
          formatTable(
            ['NAME', 'VERSION', 'STATUS', 'SOURCE', 'WARNINGS', 'ORIGIN'],
            report.plugins.map((p) => [p.name, p.version, p.status, p.source, String(p.warnings.length), p.origin]),
          ),
        )
        print(`\ngeneration ${report.generation}, ${report.plugins.length} plugin(s); \`app plugins warnings\` shows the warnings`)
      } finally {
        await close()
      }
    })
}
