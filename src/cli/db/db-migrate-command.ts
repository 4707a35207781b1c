import type { Command } from 'commander'
import { redactUrl } from '../../config/redact-url.ts'
import { configFromCommand } from '../cli-context.ts'
import { print, printJson } from '../print-output.ts'

/** `app db migrate --from-sqlite <data-dir>`: an SQLite install's plugin store and runtime tables into PostgreSQL. */
export function addDbMigrateCommand(db: Command): void {
  db.command('migrate')
    .description('copy an SQLite install (plugins.db and runtime.db) into the empty PostgreSQL database at database.url, verified')
    .requiredOption('--from-sqlite <data-dir>', "the install's data directory (its roles stopped)")
    .option('--json', 'print JSON: {"tables": [{table, rows, sha256}]}')
    .addHelpText(
      'after',
      '\nStop the roles first. database.url (APP_DATABASE_URL) must be the scheduler URL `app db init` printed, and the database empty.\nEvery table is read back and compared (row count and a hash of every row) before the copy commits; on any difference nothing is kept.\nThe SQLite files are only read: until you point the roles at PostgreSQL, the old install works as before.',
    )
    .action(async (opts: { fromSqlite: string; json?: boolean }, cmd: Command) => {
      const { database } = configFromCommand(cmd)
      const { migrateInstall } = await import('../../migration/migrate-install.ts') // loaded when used
      const tables = await migrateInstall(opts.fromSqlite, database.url, (line) => {
        if (!opts.json) process.stderr.write(`${line}\n`)
      })
      if (opts.json) return void printJson({ tables })
      for (const t of tables) print(`${t.table.padEnd(30)} ${String(t.rows).padStart(8)} rows  sha256 ${t.sha256.slice(0, 16)}  verified`)
      print(
        `moved ${opts.fromSqlite} into ${redactUrl(database.url!)}: ${tables.reduce((n, t) => n + t.rows, 0)} rows in ${tables.length} tables`,
      )
    })
}
