import { accessSync, constants } from 'node:fs'
import type { Command } from 'commander'
import { openReaderBackend } from '../../backend/open-backend.ts'
import { AppError, ExitCode } from '../../errors/app-error.ts'
import { parseSettingPairs, type SettingChange } from '../../settings/parse-setting-pairs.ts'
import { type PluginSettingsView, settingsViewOf } from '../../settings/plugin-settings-view.ts'
import { declaredSettings } from '../../settings/setting-declaration.ts'
import type { PluginStoreReader } from '../../store/plugin-store-port.ts'
import type { GenerationEntry } from '../../store/store-types.ts'
import { contextFromCommand } from '../cli-context.ts'
import { formatTable } from '../format-table.ts'
import { print, printError, printJson } from '../print-output.ts'

const shown = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v))

function printView(view: PluginSettingsView): void {
  if (!view.settings.length) return print(`${view.plugin} ${view.version} declares no settings`)
  print(
    formatTable(
      ['NAME', 'TYPE', 'REQUIRED', 'SECRET', 'VALUE', 'DESCRIPTION'],
      view.settings.map((s) => [
        s.name,
        s.type === 'choice' ? `choice (${(s.choices ?? []).join('|')})` : s.type,
        s.required ? 'yes' : 'no',
        s.secret ? 'yes (reference)' : 'no',
        s.source === 'set' ? shown(s.value) : s.source === 'default' ? `${shown(s.default)} (default)` : '(unset)',
        s.description ?? '',
      ]),
    ),
  )
  if (view.fix)
    print(
      `\n${view.plugin} carries SETTINGS_INVALID: ${[...view.missing.map((k) => `${k} is required`), ...view.invalid.map((p) => `${p.key} holds ${p.found}`)].join(', ')}. Set: ${view.fix}`,
    )
}

/** The plugin as the current generation has it; its version's declarations are the ones that count. */
async function currentEntry(store: PluginStoreReader, name: string): Promise<GenerationEntry> {
  const generation = await store.currentGeneration()
  const entry = generation?.plugins.find((p) => p.name === name)
  if (entry) return entry
  const names = (generation?.plugins ?? []).map((p) => p.name)
  throw new AppError(
    'PLUGIN_NOT_FOUND',
    `no plugin named "${name}" in generation ${generation?.id ?? 'none'}${names.length ? `; plugins: ${names.join(', ')}` : ''}. \`app plugins list\` shows them.`,
  )
}

/** A file reference the CLI cannot read may still be readable by the roles (another user, another container): a note, not an error. */
function noteUnreadable(changes: SettingChange[]): void {
  for (const c of changes) {
    if (typeof c.value !== 'string' || !c.value.startsWith('file:/')) continue
    try {
      accessSync(c.value.slice(5), constants.R_OK)
    } catch (e) {
      printError(
        `app: note: ${c.key}=${c.value}: the file is not readable from here (${(e as NodeJS.ErrnoException).code}); the roles that run the plugin must be able to read it`,
      )
    }
  }
}

/** `app plugins settings <name> [set key=value ...] [--json]`: show a plugin's declared settings, or set them (all or nothing). */
export function addPluginsSettingsCommand(plugins: Command): void {
  plugins
    .command('settings')
    .description("show a plugin's declared settings, or set them: set key=value ... (key= unsets; secrets as env:NAME or file:/path)")
    .argument('<name>', 'plugin name')
    .argument('[set]', 'the word "set", followed by key=value pairs')
    .argument('[pairs...]', 'key=value pairs')
    .option('--json', 'print JSON: {"plugin", "version", "settings": [...], "missing", "invalid", "fix"}')
    .action(async (name: string, verb: string | undefined, pairs: string[], opts: { json?: boolean }, cmd: Command) => {
      if (verb !== undefined && verb !== 'set')
        throw new AppError(
          'USAGE',
          `expected \`app plugins settings ${name}\` or \`app plugins settings ${name} set key=value ...\`; found "${verb}"`,
          { exitCode: ExitCode.usage },
        )
      if (verb === 'set' && !pairs.length)
        throw new AppError('USAGE', `\`app plugins settings ${name} set\` needs at least one key=value (key= unsets it)`, {
          exitCode: ExitCode.usage,
        })
      const { config } = contextFromCommand(cmd)
      // The store never waited for: a missing one is exit 4, as before.
      const { store, runtime, close } = await openReaderBackend(config, 'cli', { waitMs: 0 })
      try {
        const entry = await currentEntry(store, name)
        let changed: SettingChange[] = []
        if (verb === 'set') {
          const { changes, problems } = parseSettingPairs(declaredSettings(entry.manifest), pairs, `${name} ${entry.version}`)
          if (problems.length) {
            const lines = problems.map((p) => `  ${p.key}: expected ${p.expected}; found ${p.found}. Fix: ${p.fix}`)
            throw new AppError(
              'SETTINGS_REJECTED',
              `plugin "${name}" ${entry.version}: ${problems.length} problem(s) in what was given, so no setting was changed:\n${lines.join('\n')}`,
            )
          }
          await runtime.settings.write(name, changes)
          changed = changes
        }
        const view = settingsViewOf(entry, await runtime.settings.read(name))
        if (opts.json)
          return printJson(
            verb === 'set' ? { ...view, changed: changed.map((c) => ({ key: c.key, action: c.value === null ? 'unset' : 'set' })) } : view,
          )
        if (verb === 'set') {
          const set = changed.filter((c) => c.value !== null).map((c) => c.key)
          const unset = changed.filter((c) => c.value === null).map((c) => c.key)
          print(
            `${name}: ${[set.length ? `set ${set.join(', ')}` : '', unset.length ? `unset ${unset.join(', ')}` : ''].filter(Boolean).join('; ')}; running roles read the new values at once\n`,
          )
          noteUnreadable(changed)
        }
        printView(view)
      } finally {
        await close()
      }
    })
}
