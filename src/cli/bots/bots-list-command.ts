import type { Command } from 'commander'
import { formatTable } from '../format-table.ts'
import { print, printJson } from '../print-output.ts'
import { withRuntime } from '../with-runtime.ts'

/** `app bots list [--json]`: the bots with their filters, action and schedule. */
export function addBotsListCommand(bots: Command): void {
  bots
    .command('list')
    .description('the bots, with their filters, action and schedule')
    .option('--json', 'print JSON: {"bots": [...]}')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withRuntime(cmd, async (runtime) => {
        const list = await runtime.bots.list()
        if (opts.json) return printJson({ bots: list })
        if (!list.length) return print('no bots')
        const schedule = (b: (typeof list)[number]) =>
          !b.schedule
            ? 'on demand'
            : 'intervalSeconds' in b.schedule
              ? `every ${b.schedule.intervalSeconds}s`
              : `cron ${b.schedule.cron}${b.schedule.timezone ? ` ${b.schedule.timezone}` : ''}`
        print(
          formatTable(
            ['NAME', 'ENABLED', 'TYPES', 'FILTERS', 'ACTION', 'SCHEDULE'],
            list.map((b) => [
              b.name,
              b.enabled ? 'yes' : 'no',
              b.resourceTypes.join(','),
              b.filters.map((f) => f.queryId).join(',') || '-',
              b.action.uid,
              schedule(b),
            ]),
          ),
        )
      })
    })
}
