import type { Command } from 'commander'
import { print, printJson } from '../print-output.ts'
import { withRuntime } from '../with-runtime.ts'
import { eventId } from './event-id.ts'

/** `app events retry <id> [--json]`: a finished or orphaned event pending again now, with fresh attempts. */
export function addEventsRetryCommand(events: Command): void {
  events
    .command('retry')
    .description('run a failed, cancelled, done or orphaned event again now, with fresh attempts')
    .argument('<id>', 'event id')
    .option('--json', 'print JSON')
    .action(async (raw: string, opts: { json?: boolean }, cmd: Command) => {
      await withRuntime(cmd, async (runtime) => {
        const job = await runtime.jobs.admin.retry(eventId(raw))
        if (opts.json) return printJson(job)
        print(`event ${job.id} (${job.eventType}) is pending again; a worker that has the type will run it`)
      })
    })
}
