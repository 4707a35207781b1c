import type { Command } from 'commander'
import { warningListJson } from '../../report/plugin-json.ts'
import { buildPluginReport } from '../../report/plugin-report.ts'
import { formatTable } from '../format-table.ts'
import { print, printJson } from '../print-output.ts'
import { openForReading } from './open-for-reading.ts'

/** `app plugins warnings [--json]`: every warning from publishing and from the live processes, merged. */
export function addPluginsWarningsCommand(plugins: Command): void {
  plugins
    .command('warnings')
    .description('every warning seen while plugins were published or loaded, merged')
    .option('--json', 'print JSON: {"warnings": [...]}')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { store, runtime, close } = await openForReading(cmd)
      try {
        const report = await buildPluginReport(store, runtime)
        if (opts.json) return void printJson(warningListJson(report))
        if (!report.warnings.length) return void print('no warnings')
        print(
          formatTable(
            ['SEVERITY', 'PLUGIN', 'CODE', 'WHERE', 'MESSAGE'],
            report.warnings.map((w) => [w.severity, w.plugin ?? '-', w.code, w.where.join(','), w.message]),
          ),
        )
      } finally {
        await close()
      }
    })
}
