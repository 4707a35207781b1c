import type { Command } from 'commander'
import { formatTable } from '../format-table.ts'
import { print, printJson } from '../print-output.ts'
import { openForReading } from './open-for-reading.ts'

/** `app plugins generations [--json]`: the generations kept in the store, newest first. */
export function addPluginsGenerationsCommand(plugins: Command): void {
  plugins
    .command('generations')
    .description('list the generations kept in the store')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { store, close } = await openForReading(cmd)
      try {
        const gens = await store.listGenerations(100)
        if (opts.json) return void printJson({ generations: gens })
        print(
          formatTable(
            ['ID', 'CREATED', 'PLUGINS', 'REASON'],
            gens.map((g) => [String(g.id), g.createdAt, String(g.pluginCount), g.reason]),
          ),
        )
      } finally {
        await close()
      }
    })
}
