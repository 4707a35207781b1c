import { Command, CommanderError, Option } from 'commander'
import { AppError, ExitCode } from '../errors/app-error.ts'
import { APP_VERSION } from '../version.ts'
import { diskFullError } from '../fs/disk-full-error.ts'
import { configFromCommand, contextFromCommand } from './cli-context.ts'
import { addPluginCommands } from './plugin-commands.ts'
import { addPluginsCommands } from './plugins/index.ts'
import { addEventsCommands } from './events/index.ts'
import { addResourcesCommands } from './resources/index.ts'
import { addBotsCommands } from './bots/index.ts'
import { addOpsCommands } from './ops-commands.ts'
import { addDbCommands } from './db/index.ts'
import { printError, terminalSafe } from './print-output.ts'

/** Builds the `app` command tree. Kept separate from main() so tests can inspect it. */
export function createProgram(): Command {
  const program = new Command('app')
    .description(
      'Self-hosted plugin platform: run a role, or manage the plugin store.\n\nExamples:\n  app --role=all                      dev box: scheduler, worker and web in one process\n  app --role=scheduler --data-dir /var/lib/app\n  app plugins list --json\n  app plugins warnings',
    )
    .addOption(new Option('--role <role>', 'run a role until SIGTERM').choices(['scheduler', 'worker', 'web', 'all']))
    .option('--data-dir <dir>', 'data directory shared by all roles (default: data)')
    .option('--plugins-dir <dir>', "the scheduler's local plugin directory (default: plugins)")
    .option('--config <file>', 'config file (default: APP_CONFIG, else ./app.toml if present)')
    .option('--host <host>', 'web: listen address (default: 127.0.0.1)')
    .option('--port <port>', 'web: listen port, 0 picks a free one (default: 8080)')
    .option('--log-level <level>', 'trace, debug, info, warn, error, fatal or silent (default: info)')
    .option('--concurrency <n>', 'worker: handler threads (default: 4)')
    .option('--reload', 'dev: reload plugins when a new generation is published')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run with --help for usage)')
    .allowExcessArguments(true)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(terminalSafe(s)), writeOut: (s) => process.stdout.write(terminalSafe(s)) })
    .action(async (_opts: unknown, cmd: Command) => {
      if (cmd.args.length) throw unknownCommand(cmd, cmd.args[0]!)
      const { config, logger } = contextFromCommand(cmd, { destination: 1 })
      if (!config.role) {
        cmd.outputHelp()
        throw new AppError(
          'USAGE',
          'no --role given and no command: pass --role=scheduler|worker|web|all, or a command such as `app plugins list`.',
          { exitCode: ExitCode.usage },
        )
      }
      const { runRoles } = await import('../roles/run-roles.ts')
      process.exitCode = await runRoles(config.role, { config, logger })
    })

  program
    .command('version')
    .description('print the version of app and of the runtime')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const info = { app: APP_VERSION, node: process.versions.node }
      process.stdout.write(opts.json ? `${JSON.stringify(info)}\n` : `app ${info.app} (node ${info.node})\n`)
    })

  addPluginsCommands(program)
  addPluginCommands(program)
  addEventsCommands(program)
  addResourcesCommands(program)
  addBotsCommands(program)
  addOpsCommands(program)
  addDbCommands(program)
  // Every command inherits the exit override and error output of the root.
  for (const cmd of program.commands) cmd.exitOverride().showSuggestionAfterError(true)
  return program
}

/** `app plugin list` -> "did you mean plugins?": the root takes --role, so commander sees a typo as an argument. */
function unknownCommand(cmd: Command, word: string): AppError {
  const names = cmd.commands.map((c) => c.name())
  const best = names.map((n) => ({ n, d: distance(word, n) })).sort((a, b) => a.d - b.d)[0]
  const hint = best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? ` Did you mean "${best.n}"?` : ''
  return new AppError('USAGE', `unknown command "${word}".${hint} Commands: ${names.join(', ')}; \`app --help\` shows them all.`, {
    exitCode: ExitCode.usage,
  })
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = cur
    }
  }
  return row[b.length]!
}

/** The data directory the command ran on (flags, environment, app.toml), for error messages; "data" if the config itself is bad. */
function dataDirOf(program: Command): string {
  try {
    return configFromCommand(program).dataDir
  } catch {
    return 'data'
  }
}

/** Runs the CLI and resolves with the process exit code (DESIGN section 10). */
export async function main(argv: string[]): Promise<number> {
  const program = createProgram()
  try {
    await program.parseAsync(argv, { from: 'user' })
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; every other parse error is a usage error.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage
    }
    // A full disk (SQLITE_FULL, ENOSPC, EDQUOT) wherever a command or role met it: what is full and what to delete.
    const known = error instanceof AppError ? error : diskFullError(error, { dataDir: dataDirOf(program) })
    if (known) {
      printError(`app: ${known.message}`)
      return known.exitCode
    }
    printError(`app: unexpected error: ${(error as Error)?.stack ?? String(error)}`)
    return ExitCode.runtime
  }
}
