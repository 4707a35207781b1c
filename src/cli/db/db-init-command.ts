import { type Command, Option } from 'commander'
import { redactUrl } from '../../config/redact-url.ts'
import { print, printJson } from '../print-output.ts'

/** `app db init --admin-url URL [--json]`: schemas, three database roles and their grants; prints the role URLs. */
export function addDbInitCommand(db: Command): void {
  db.command('init')
    .description(
      'create the schemas plugins and runtime and one database role per app role (scheduler owns both schemas; worker and web may only read plugins), and print the URL each role connects with',
    )
    .addOption(
      new Option(
        '--admin-url <url>',
        'a PostgreSQL URL allowed to create roles and schemas (e.g. the postgres superuser)',
      ).makeOptionMandatory(),
    )
    .option('--role-prefix <name>', 'database role names are <name>_scheduler, <name>_worker, <name>_web', 'app')
    .option('--json', 'print JSON: {"scheduler": URL, "worker": URL, "web": URL}')
    .addHelpText(
      'after',
      '\nRe-running it is safe: existing roles keep their passwords (their URLs are printed without one), the schema is brought forward and the grants are set again.\nThen give each role its URL as database.url (APP_DATABASE_URL), e.g. APP_DATABASE_URL=<scheduler URL> app --role=scheduler',
    )
    .action(async (opts: { adminUrl: string; rolePrefix: string; json?: boolean }) => {
      const { initDatabase } = await import('../../postgres/init-database.ts') // loaded when used: other commands start faster
      const result = await initDatabase(opts.adminUrl, { rolePrefix: opts.rolePrefix })
      if (opts.json) return void printJson(result.urls)
      print(`app db init: ${redactUrl(opts.adminUrl)} has schemas plugins and runtime at version ${result.schemaVersion}`)
      for (const [role, url] of Object.entries(result.urls)) {
        const kept = result.created.includes(role as never) ? '' : '  (role existed: password unchanged, not shown)'
        print(`  ${role.padEnd(9)}  ${url}${kept}`)
      }
      print('Give each role its URL as database.url (APP_DATABASE_URL). Keep these URLs secret: they hold passwords.')
    })
}
