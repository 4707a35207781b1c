import type { Command } from 'commander'
import { registeredIds } from '../../bots/registered-ids.ts'
import { AppError } from '../../errors/app-error.ts'
import { print, printError, printJson } from '../print-output.ts'
import { readDataFile } from '../read-data-file.ts'
import { reportRejected } from '../report-rejected.ts'
import { withRuntimeAndStore } from '../with-runtime.ts'

/** `app bots apply <file> [--json]`: create or update bots from JSON or TOML; a bot that does not check out stops the whole file. */
export function addBotsApplyCommand(bots: Command): void {
  bots
    .command('apply')
    .description('create or update bots from a JSON array, or TOML [[bots]] tables (a .toml file)')
    .argument('<file>', 'JSON or TOML file')
    .option('--json', 'print JSON: {"applied", "rejected", "unknown", "unchecked", "invalid"}')
    .action(async (file: string, opts: { json?: boolean }, cmd: Command) => {
      const data = readDataFile(file, 'bots', true)
      await withRuntimeAndStore(cmd, async (runtime, store) => {
        const result = await runtime.bots.apply(data, store ? await registeredIds(store) : null)
        if (result.invalid.length) {
          // Rows of the wrong shape are listed too: every problem of the file at once.
          if (opts.json) printJson(result)
          for (const r of result.rejected) printError(`app: bot #${r.index}${r.id ? ` ("${r.id}")` : ''}: ${r.field}: ${r.message}`)
          const bots = new Set(result.invalid.map((p) => p.bot)).size
          throw new AppError(
            'BOTS_INVALID',
            `${result.invalid.length} problem(s) in ${bots} bot(s) of ${file}, so no bot was applied:\n${result.invalid.map((p) => `  ${p.message}`).join('\n')}`,
          )
        }
        if (opts.json) printJson(result)
        else {
          const created = result.applied.filter((b) => b.created).length
          print(`applied ${result.applied.length} bot(s): ${created} created, ${result.applied.length - created} updated`)
        }
        for (const u of result.unknown) printError(`app: warning: ${u.message}`)
        if (result.unchecked) printError(`app: note: ${result.unchecked}`)
        reportRejected(result.rejected, 'bot')
      })
    })
}
