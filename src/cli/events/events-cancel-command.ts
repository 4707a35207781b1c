import type { Command } from 'commander'
import { BOT_RUN } from '../../queue/job-types.ts'
import { print, printJson } from '../print-output.ts'
import { withRuntime } from '../with-runtime.ts'
import { eventId } from './event-id.ts'

/** `app events cancel <id> [--schedule] [--json]`: cancel an event, and with --schedule the schedule that fired it. */
export function addEventsCancelCommand(events: Command): void {
  events
    .command('cancel')
    .description('cancel a pending, orphaned or running event')
    .argument('<id>', 'event id')
    .option('--schedule', 'also remove the recurring schedule (interval, cron or bot schedule) that fired it')
    .option('--json', 'print JSON')
    .action(async (raw: string, opts: { schedule?: boolean; json?: boolean }, cmd: Command) => {
      await withRuntime(cmd, async (runtime) => {
        const { job, wasRunning, scheduleRemoved } = await runtime.jobs.admin.cancel(eventId(raw), { schedule: opts.schedule })
        if (opts.json) return printJson({ ...job, scheduleRemoved })
        print(
          `event ${job.id} (${job.eventType}) is ${job.status}${wasRunning ? '; it was running: its handler may finish, but its result is dropped and it is not retried' : ''}`,
        )
        if (opts.schedule)
          print(
            scheduleRemoved
              ? `its schedule ${job.scheduleId} is removed and fires no more${job.eventType === BOT_RUN ? ' (`app bots apply` with a schedule adds it back)' : ''}`
              : `its schedule ${job.scheduleId} was already removed`,
          )
      })
    })
}
