import type { Command } from 'commander'
import { print, printJson } from '../print-output.ts'
import { withRuntime } from '../with-runtime.ts'
import { eventId } from './event-id.ts'

/** `app events show <id> [--json]`: one event with its lease, attempts and last error. */
export function addEventsShowCommand(events: Command): void {
  events
    .command('show')
    .description('one event with its lease, attempts and last error')
    .argument('<id>', 'event id')
    .option('--json', 'print JSON')
    .action(async (raw: string, opts: { json?: boolean }, cmd: Command) => {
      await withRuntime(cmd, async (runtime) => {
        const job = await runtime.jobs.admin.get(eventId(raw))
        if (opts.json) return printJson(job)
        for (const [k, v] of Object.entries(job)) if (k !== 'lastError' && k !== 'payload') print(`${`${k}:`.padEnd(16)}${v ?? '-'}`)
        print(`${'payload:'.padEnd(16)}${JSON.stringify(job.payload)}`)
        if (job.lastError) print(`last error:\n${job.lastError}`)
      })
    })
}
