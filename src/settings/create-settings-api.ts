import { readFile } from 'node:fs/promises'
import { PermanentError } from '../sdk/permanent-error.ts'
import { storedValueProblem } from './parse-setting-value.ts'
import { declaredSettings, SECRET_REFERENCE, type SettingDeclaration, type SettingValue } from './setting-declaration.ts'
import { settingsFixCommand } from './settings-state.ts'

export interface SettingsApi {
  /** T: what the caller knows the declared type to be (plugin code is not type-checked against its manifest). */
  get<T extends SettingValue | undefined = SettingValue | undefined>(key: string): T
  secret(key: string): Promise<string | undefined>
}

/** Where values come from: runtime.db in a role; none without a runtime database. dryRun: the publish dry run. */
export interface SettingsSource {
  values(plugin: string): Map<string, unknown>
  dryRun?: boolean
}

/** `env:NAME` -> the variable of this process; `file:/path` -> the file, without one trailing newline. */
async function resolveReference(plugin: string, key: string, ref: string): Promise<string> {
  const call = `settings.secret(${JSON.stringify(key)}) of plugin "${plugin}"`
  if (ref.startsWith('env:')) {
    const value = process.env[ref.slice(4)]
    if (value === undefined)
      throw new Error(
        `${call}: its reference ${ref} names an environment variable that is not set in this process (pid ${process.pid}). Set ${ref.slice(4)} in the environment of every role that runs the plugin (systemd Environment=, docker run -e), or point the setting at a file: app plugins settings ${plugin} set ${key}=file:/run/secrets/${key}`,
      )
    return value
  }
  try {
    return (await readFile(ref.slice(5), 'utf8')).replace(/\r?\n$/, '')
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message
    throw new Error(
      `${call}: its reference ${ref} cannot be read in this process (pid ${process.pid}): ${code}. Make the file readable by the user the roles run as (systemd LoadCredential=, Docker secrets), or set another reference: app plugins settings ${plugin} set ${key}=file:/path`,
      { cause },
    )
  }
}

/**
 * The SDK's `settings`, bound to one plugin version's declarations. Values
 * are read from runtime.db on every call (one indexed read), so a change made
 * with `app plugins settings ... set` applies without a restart. An unset
 * required setting, or a stored value that does not fit the declaration,
 * throws PermanentError: retrying cannot fix it, the operator can. In the
 * publish dry run (the scheduler, which need not hold the roles' secrets)
 * nothing throws for that: the value is the default, or undefined.
 */
export function createSettingsApi(plugin: string, manifestSettings: unknown, source: SettingsSource | null): SettingsApi {
  const declarations = declaredSettings({ settings: manifestSettings })
  const lenient = !source || source.dryRun === true

  function declared(call: string, key: unknown): SettingDeclaration {
    const d = declarations.find((x) => x.name === key)
    if (d) return d
    const names = declarations.map((x) => x.name)
    throw new TypeError(
      `${call} in plugin "${plugin}": ${JSON.stringify(key)} is not a declared setting; ${names.length ? `declared: ${names.join(', ')}` : 'the manifest declares no settings'}. Declare it in plugin.json "settings" ([{"name": "...", "type": "string"}]).`,
    )
  }

  function read(call: string, d: SettingDeclaration): SettingValue | undefined {
    const values = source?.values(plugin) ?? new Map<string, unknown>()
    if (values.has(d.name)) {
      const value = values.get(d.name)
      const problem = storedValueProblem(d, value)
      if (!problem) return value as SettingValue
      if (!lenient)
        throw new PermanentError(
          `${call} in plugin "${plugin}": the stored value of "${d.name}" is ${problem.found}, expected ${problem.expected}. Set it again: ${settingsFixCommand(plugin, declarations, [d.name])}`,
        )
    }
    if (d.default !== undefined) return d.default
    if (d.required && !lenient)
      throw new PermanentError(
        `${call} in plugin "${plugin}": the required setting "${d.name}" is not set. Set it: ${settingsFixCommand(plugin, declarations, [d.name])}`,
      )
    return undefined
  }

  return Object.freeze({
    /** The value, or the declared default, or undefined; a secret's value here is its reference. */
    get<T extends SettingValue | undefined = SettingValue | undefined>(key: string): T {
      const call = `settings.get(${JSON.stringify(key)})`
      return read(call, declared(call, key)) as T
    },
    /** A secret's value, resolved from its reference in this process; never stored, never logged by the host. */
    async secret(key: string): Promise<string | undefined> {
      const call = `settings.secret(${JSON.stringify(key)})`
      const d = declared(call, key)
      if (!d.secret)
        throw new TypeError(
          `${call} in plugin "${plugin}": "${key}" is not declared secret, so it holds a plain value: read it with settings.get(${JSON.stringify(key)}), or declare it with "secret": true.`,
        )
      const ref = read(call, d)
      if (typeof ref !== 'string' || !SECRET_REFERENCE.test(ref)) return undefined
      // The dry run runs in the scheduler, which need not hold the roles' secrets.
      return lenient ? resolveReference(plugin, key, ref).catch(() => undefined) : resolveReference(plugin, key, ref)
    },
  })
}
