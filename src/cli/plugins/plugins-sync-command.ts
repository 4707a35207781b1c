import type { Command } from 'commander'
import { contextFromCommand } from '../cli-context.ts'
import { print } from '../print-output.ts'

/** `app plugins sync`: one publish pass over every source, then exit (takes the writer lock). */
export function addPluginsSyncCommand(plugins: Command): void {
  plugins
    .command('sync')
    .description('one publish pass over every source, then exit (takes the writer lock)')
    .action(async (_opts: unknown, cmd: Command) => {
      const { config, logger } = contextFromCommand(cmd)
      const tty = process.stderr.isTTY
      const onProgress = tty
        ? (done: number, total: number) => {
            if (done % 10 === 0 || done === total) process.stderr.write(`\rchecking plugins ${done}/${total}`)
          }
        : undefined
      const { publishOnce } = await import('../../publish/publish-once.ts') // loaded when used: every command starts faster
      const result = await publishOnce(config, { logger, onProgress })
      if (tty) process.stderr.write('\n')
      print(
        result.changed
          ? `published generation ${result.generation} (${result.plugins} plugins)`
          : `no change: generation ${result.generation ?? 'none'} (${result.plugins} plugins)`,
      )
    })
}
