import type { Command } from 'commander'
import { addEventsCancelCommand } from './events-cancel-command.ts'
import { addEventsListCommand } from './events-list-command.ts'
import { addEventsRetryCommand } from './events-retry-command.ts'
import { addEventsShowCommand } from './events-show-command.ts'

/** `app events ...`: the scheduled events and bot runs in the queue (runtime.db, or PostgreSQL), one file per subcommand (in `--help` order). */
export function addEventsCommands(program: Command): void {
  const events = program.command('events').description('scheduled events and bot runs in the queue')
  addEventsListCommand(events)
  addEventsShowCommand(events)
  addEventsRetryCommand(events)
  addEventsCancelCommand(events)
}
