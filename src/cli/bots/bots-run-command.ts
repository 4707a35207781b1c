import type { Command } from 'commander'
import { AppError } from '../../errors/app-error.ts'
import { BOT_RUN } from '../../queue/job-types.ts'
import { print, printJson } from '../print-output.ts'
import { withRuntime } from '../with-runtime.ts'

/** `app bots run <name> [--json]`: queue a run of a bot now, for a worker to run. */
export function addBotsRunCommand(bots: Command): void {
  bots
    .command('run')
    .description('enqueue a run of a bot now; a worker runs its filters and action')
    .argument('<name>', 'bot name')
    .option('--json', 'print JSON: the queued event')
    .action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
      await withRuntime(cmd, async (runtime) => {
        const bot = await runtime.bots.get(name)
        if (!bot) {
          const names = (await runtime.bots.list()).map((b) => b.name)
          throw new AppError(
            'BOT_NOT_FOUND',
            `no bot named "${name}"${names.length ? `; bots: ${names.join(', ')}` : ''}. Create it with \`app bots apply <file>\`.`,
          )
        }
        await runtime.jobs.enqueue([
          {
            eventType: BOT_RUN,
            bot: name,
            runAt: Date.now(),
            owner: 'cli',
            description: `run of bot ${name}`,
            payload: { trigger: 'cli' },
          },
        ])
        const job = (await runtime.jobs.admin.list({ bot: name, eventType: BOT_RUN, limit: 1 }))[0]!
        if (opts.json) return printJson(job)
        print(
          `queued run of bot "${name}" as event ${job.id}${bot.enabled ? '' : ' (the bot is disabled: its schedule does not fire, but this run will)'}`,
        )
      })
    })
}
