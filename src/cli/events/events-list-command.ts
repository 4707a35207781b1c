import type { Command } from 'commander'
import { AppError, ExitCode } from '../../errors/app-error.ts'
import type { JobStatus } from '../../queue/job-types.ts'
import { print, printJson } from '../print-output.ts'
import { withRuntime } from '../with-runtime.ts'
import { eventsTable } from './events-table.ts'
import { printSchedules } from './print-schedules.ts'

/** `app events list [--status|--type|--bot|--limit] [--schedules] [--json]`: the newest events, or the recurring schedules. */
export function addEventsListCommand(events: Command): void {
  events
    .command('list')
    .description('the newest events, optionally filtered')
    .option('--status <status>', 'pending, running, done, failed, cancelled or orphaned')
    .option('--type <eventType>', 'only this event type (bot runs are app.bot_run)')
    .option('--bot <name>', 'only events of this bot')
    .option('--limit <n>', 'at most this many (default 100)')
    .option('--schedules', 'list the recurring schedules instead: plugin jobs (jobs.schedule), bot schedules, scheduled bot events')
    .option('--json', 'print JSON: {"counts", "events": [...]} (with --schedules: {"schedules": [...]})')
    .action(
      async (opts: { status?: string; type?: string; bot?: string; limit?: string; json?: boolean; schedules?: boolean }, cmd: Command) => {
        if (opts.schedules) return printSchedules(cmd, opts.json === true)
        const limit = opts.limit === undefined ? 100 : Number(opts.limit)
        if (!Number.isSafeInteger(limit) || limit < 1)
          throw new AppError('USAGE', `--limit must be a positive integer; found "${opts.limit}"`, { exitCode: ExitCode.usage })
        await withRuntime(cmd, async (runtime) => {
          const admin = runtime.jobs.admin
          const list = await admin.list({ status: opts.status as JobStatus | undefined, eventType: opts.type, bot: opts.bot, limit })
          const counts = await admin.counts()
          if (opts.json) return printJson({ counts, events: list })
          if (!list.length) return print('no events')
          print(eventsTable(list))
          print(
            `\n${Object.entries(counts)
              .filter(([, n]) => n)
              .map(([s, n]) => `${n} ${s}`)
              .join(', ')}`,
          )
        })
      },
    )
}
