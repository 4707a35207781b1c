import type { Command } from 'commander'
import { formatTable } from '../format-table.ts'
import { print, printJson } from '../print-output.ts'
import { withRuntime } from '../with-runtime.ts'

/** `app resources list [--type] [--state] [--json]`: the resources in the inventory. */
export function addResourcesListCommand(resources: Command): void {
  resources
    .command('list')
    .description('the resources in the inventory')
    .option('--type <type>', 'only this type')
    .option('--state <state>', 'only this state')
    .option('--json', 'print JSON: {"resources": [...]}')
    .action(async (opts: { type?: string; state?: string; json?: boolean }, cmd: Command) => {
      await withRuntime(cmd, async (runtime) => {
        const list = await runtime.inventory.find({ type: opts.type, state: opts.state })
        if (opts.json) return printJson({ resources: list })
        if (!list.length) return print('no resources')
        print(
          formatTable(
            ['ID', 'TYPE', 'CLOUD', 'REGION', 'NAME', 'STATE'],
            list.map((r) => [r.id, r.type, r.cloud, r.region, r.name, r.state]),
          ),
        )
      })
    })
}
