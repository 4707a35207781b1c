import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Command } from 'commander'
import { configFromCommand } from './cli-context.ts'
import { pluginDirArg } from './plugin-test.ts'

/** `app plugin dev <dir>`: the plugin in every role on a temporary data dir, reloaded on each save; Ctrl-C stops it and removes the dir. */
export function addPluginDevCommand(plugin: Command): void {
  plugin
    .command('dev')
    .description(
      'run the plugin in every role (--role=all --reload) on a temporary data dir that follows <dir> as you save; prints the admin URL and token and each new warning; Ctrl-C stops it and removes the temporary dir',
    )
    .argument('<dir>', 'the plugin folder')
    .action(async (dirArg: string, _opts: unknown, cmd: Command) => {
      const dir = pluginDirArg(dirArg, 'dev')
      // --port, --host, --log-level and app.toml apply; the data and plugins dirs are the temporary ones.
      const base = configFromCommand(cmd)
      const tmp = mkdtempSync(join(tmpdir(), 'app-plugin-dev-'))
      try {
        const { runDevSession } = await import('../authoring/dev-session.ts') // as plugin test: loaded when used
        process.exitCode = await runDevSession(dir, tmp, base, (line) => process.stdout.write(`${line}\n`))
      } finally {
        rmSync(tmp, { recursive: true, force: true })
      }
    })
}
