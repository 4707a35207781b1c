import type { Command } from 'commander'
import { addBotsApplyCommand } from './bots-apply-command.ts'
import { addBotsListCommand } from './bots-list-command.ts'
import { addBotsRunCommand } from './bots-run-command.ts'

/** `app bots ...`: bots (filters over resources, and an action on the matches) in the runtime tables, one file per subcommand (in `--help` order). */
export function addBotsCommands(program: Command): void {
  const bots = program.command('bots').description('bots: filters over resources, and an action on the matches')
  addBotsApplyCommand(bots)
  addBotsRunCommand(bots)
  addBotsListCommand(bots)
}
