import type { Command } from 'commander'
import { addPluginsDisableCommand } from './plugins-disable-command.ts'
import { addPluginsEnableCommand } from './plugins-enable-command.ts'
import { addPluginsGenerationsCommand } from './plugins-generations-command.ts'
import { addPluginsKeygenCommand } from './plugins-keygen-command.ts'
import { addPluginsListCommand } from './plugins-list-command.ts'
import { addPluginsPackCommand } from './plugins-pack-command.ts'
import { addPluginsRollbackCommand } from './plugins-rollback-command.ts'
import { addPluginsSettingsCommand } from './plugins-settings-command.ts'
import { addPluginsShowCommand } from './plugins-show-command.ts'
import { addPluginsStorageCommand } from './plugins-storage-command.ts'
import { addPluginsSyncCommand } from './plugins-sync-command.ts'
import { addPluginsVerifyCommand } from './plugins-verify-command.ts'
import { addPluginsWarningsCommand } from './plugins-warnings-command.ts'

/** `app plugins ...`: the plugin store, one file per subcommand. The order here is the order `app plugins --help` lists them in. */
export function addPluginsCommands(program: Command): void {
  const plugins = program.command('plugins').description('inspect and manage the plugin store')
  addPluginsKeygenCommand(plugins)
  addPluginsPackCommand(plugins)
  addPluginsVerifyCommand(plugins)
  addPluginsSettingsCommand(plugins)
  addPluginsStorageCommand(plugins)
  addPluginsDisableCommand(plugins)
  addPluginsEnableCommand(plugins)
  addPluginsListCommand(plugins)
  addPluginsWarningsCommand(plugins)
  addPluginsShowCommand(plugins)
  addPluginsSyncCommand(plugins)
  addPluginsRollbackCommand(plugins)
  addPluginsGenerationsCommand(plugins)
}
