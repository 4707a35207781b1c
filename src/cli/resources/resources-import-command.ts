import type { Command } from 'commander'
import { AppError, ExitCode } from '../../errors/app-error.ts'
import { print, printJson } from '../print-output.ts'
import { readDataFile } from '../read-data-file.ts'
import { reportRejected } from '../report-rejected.ts'
import { withRuntime } from '../with-runtime.ts'

/** `app resources import <file> [--replace] [--json]`: merge a JSON array into the inventory, or with --replace make it exactly the file. */
export function addResourcesImportCommand(resources: Command): void {
  resources
    .command('import')
    .description(
      'create or update resources from a JSON array: tags and properties merge key by key (null removes one); bad rows are reported, good rows still land',
    )
    .argument('<file>', 'JSON file')
    .option(
      '--replace',
      'make the inventory exactly the file: rows are written as given, resources the file lacks are deleted (resource.deleted hooks); a file with a bad row changes nothing',
    )
    .option('--json', 'print JSON: {"total", "imported", "created", "modified", "unchanged", "deleted", "rejected": [...], "applied"}')
    .action(async (file: string, opts: { json?: boolean; replace?: boolean }, cmd: Command) => {
      const data = readDataFile(file, 'resources', false)
      await withRuntime(cmd, async (runtime) => {
        const result = await runtime.inventory.import(data, { replace: opts.replace === true })
        if (opts.replace && !result.applied) {
          if (opts.json) printJson(result)
          reportRejected(result.rejected, 'resource')
          throw new AppError(
            'FILE_INVALID',
            `${file}: ${new Set(result.rejected.map((r) => r.index)).size} bad row(s) (listed above), so --replace changed nothing: with a bad row it cannot tell which resources the file means to keep. Fix the rows and import again.`,
            { exitCode: ExitCode.usage },
          )
        }
        if (opts.json) printJson(result)
        else
          print(
            `imported ${result.imported} of ${result.total} resource(s): ${result.created} created, ${result.modified} changed, ${result.unchanged} unchanged${opts.replace ? `, ${result.deleted} deleted (not in the file)` : ''}${result.rejected.length ? '; rejected rows are listed on stderr' : ''}`,
          )
        reportRejected(result.rejected, 'resource')
      })
    })
}
