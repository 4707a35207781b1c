import type { Command } from 'commander'
import { contextFromCommand } from '../cli-context.ts'
import { submitPluginRequest, waitSeconds } from './submit-plugin-request.ts'

/** `app plugins enable <name>`: publish a disabled plugin again from its source (applied by the scheduler). */
export function addPluginsEnableCommand(plugins: Command): void {
  plugins
    .command('enable')
    .description('publish a disabled plugin again from its source (applied by the scheduler)')
    .argument('<name>', 'plugin name')
    .option('--wait <seconds>', 'how long to wait for the scheduler to apply it (default 10; 0: do not wait)')
    .option('--json', 'print the request as JSON: {"id", "plugin", "action", "status", "message", "generation", ...}')
    .action(async (name: string, opts: { wait?: string; json?: boolean }, cmd: Command) => {
      const { config } = contextFromCommand(cmd)
      await submitPluginRequest(config, name, 'enable', { waitS: waitSeconds(opts.wait), json: opts.json })
    })
}
