import type { Command } from 'commander'
import { AppError, ExitCode } from '../errors/app-error.ts'
import { addPluginInitCommand } from './plugin-init.ts'
import { addPluginTestCommand } from './plugin-test.ts'
import { addPluginDevCommand } from './plugin-dev.ts'

/** `app plugin ...`: writing, testing and running one plugin of your own (DESIGN 5b), one file per subcommand. */
export function addPluginCommands(program: Command): void {
  const plugin = program
    .command('plugin')
    .description('write, test and run one plugin of your own (`app plugins` manages the store)')
    .allowExcessArguments(true)
    .action((_opts: unknown, cmd: Command) => {
      // `app plugin list` is most likely `app plugins list`: say so rather than "unknown command".
      const word = cmd.args[0]
      const names = plugin.commands.map((c) => c.name())
      const store = program.commands.find((c) => c.name() === 'plugins')?.commands.some((c) => c.name() === word)
      const hint = store
        ? ` Did you mean "app plugins ${word}"? \`app plugin\` works on a plugin folder of your own; \`app plugins\` manages the plugin store.`
        : ''
      throw new AppError(
        'USAGE',
        `${word ? `unknown command "plugin ${word}".` : 'app plugin needs a command.'}${hint} Commands: ${names.join(', ')}; \`app plugin --help\` shows them.`,
        { exitCode: ExitCode.usage },
      )
    })
  addPluginInitCommand(plugin)
  addPluginTestCommand(plugin)
  addPluginDevCommand(plugin)
}
