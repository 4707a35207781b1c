import type { Command } from 'commander'
import { addResourcesImportCommand } from './resources-import-command.ts'
import { addResourcesListCommand } from './resources-list-command.ts'

/** `app resources ...`: the resource inventory that bots work on, one file per subcommand (in `--help` order). */
export function addResourcesCommands(program: Command): void {
  const resources = program.command('resources').description('the resource inventory that bots work on')
  addResourcesImportCommand(resources)
  addResourcesListCommand(resources)
}
