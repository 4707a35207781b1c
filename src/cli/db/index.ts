import type { Command } from 'commander'
import { addDbInitCommand } from './db-init-command.ts'
import { addDbMigrateCommand } from './db-migrate-command.ts'

/** `app db ...`: the PostgreSQL backend (DESIGN section 12), one file per subcommand (in `--help` order). */
export function addDbCommands(program: Command): void {
  const db = program.command('db').description('PostgreSQL instead of the SQLite files: create the schemas and roles, move an install over')
  addDbInitCommand(db)
  addDbMigrateCommand(db)
}
