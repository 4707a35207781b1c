import { join } from 'node:path'
import type { Command } from 'commander'
import { AppError, ExitCode } from '../errors/app-error.ts'
import { configFromCommand } from './cli-context.ts'
import { print, printJson } from './print-output.ts'
const LABEL = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const

/** `app doctor` and `app backup <dir>`: operating an install. */
export function addOpsCommands(program: Command): void {
  program
    .command('doctor')
    .description('check the data directory: filesystem, databases, disk, writer lock, processes, cache dirs')
    .option('--json', 'print JSON: {"ok", "dataDir", "checks": [{name, status, message, fix}]}')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { dataDir, database } = configFromCommand(cmd)
      // Each command loads its code when it runs (here: pg, the checks), so every other command starts faster.
      const checks = database.url
        ? await (await import('../ops/postgres-doctor.ts')).runPostgresDoctor(database.url, dataDir)
        : await (await import('../ops/run-doctor.ts')).runDoctor(dataDir)
      const failed = checks.filter((c) => c.status === 'fail').length
      const warned = checks.filter((c) => c.status === 'warn').length
      if (opts.json) {
        printJson({ ok: failed === 0, dataDir, checks })
      } else {
        print(`app doctor: ${database.url ? 'PostgreSQL (database.url) and the cache in ' : ''}data directory ${dataDir}`)
        const width = Math.max(...checks.map((c) => c.name.length))
        for (const c of checks) {
          print(`  ${LABEL[c.status]}  ${c.name.padEnd(width)}  ${c.message}`)
          if (c.fix && c.status !== 'ok') print(`  ${' '.repeat(4)}  ${' '.repeat(width)}  fix: ${c.fix}`)
        }
        print(failed ? `${failed} check(s) failed, ${warned} warning(s)` : `all checks passed${warned ? `, ${warned} warning(s)` : ''}`)
      }
      if (failed) process.exitCode = ExitCode.runtime
    })

  program
    .command('backup')
    .description(
      'copy plugins.db and runtime.db (with database.url: pg_dump of both schemas) into <dir>, consistently, while the roles run',
    )
    .argument('<dir>', 'a new or empty directory for the copies and backup.json')
    .option('--json', 'print JSON: what was copied')
    .action(async (dir: string, opts: { json?: boolean }, cmd: Command) => {
      const { dataDir, database } = configFromCommand(cmd)
      if (!dir.trim())
        throw new AppError('USAGE', 'app backup needs a directory, e.g. app backup /var/backups/app/2024-05-01', {
          exitCode: ExitCode.usage,
        })
      if (database.url) {
        const { backupPostgres } = await import('../ops/postgres-backup.ts')
        const dump = await backupPostgres(database.url, dir)
        if (opts.json) return void printJson(dump)
        return print(
          `pg_dump of ${dump.database} (schemas plugins and runtime, ${dump.tables} tables) written to ${join(dump.dir, dump.file)}, ${(dump.bytes / 1024).toFixed(0)} KiB, sha256 ${dump.sha256.slice(0, 16)}; restore with pg_restore --dbname=<url> ${dump.file}`,
        )
      }
      const { backupDatabases } = await import('../ops/backup-databases.ts')
      const result = await backupDatabases(dataDir, dir)
      if (opts.json) return void printJson(result)
      for (const f of result.files) print(`${f.file}  ${(f.bytes / 1024).toFixed(0)} KiB  sha256 ${f.sha256.slice(0, 16)}  verified`)
      print(
        `backup of ${result.dataDir} (generation ${result.generation ?? 'none'}) written to ${result.dir}; restore steps: packaging/README.md, "Backup and restore"`,
      )
    })
}
