import { exampleOf, storedValueProblem, type ValueProblem } from './parse-setting-value.ts'
import type { SettingDeclaration, SettingValue } from './setting-declaration.ts'

/** One declared setting as operators see it: a secret's value is its reference, never the secret. */
export interface SettingState {
  name: string
  type: SettingDeclaration['type']
  required: boolean
  secret: boolean
  description: string | null
  choices: string[] | null
  default: SettingValue | null
  /** The stored value (a secret's reference), or null when unset. */
  value: unknown
  /** Where get() takes it from: the stored value, the default, or nowhere. */
  source: 'set' | 'default' | 'unset'
  updatedAt: string | null
}

export interface SettingsState {
  settings: SettingState[]
  /** Required settings with neither a value nor a default. */
  missing: string[]
  /** Stored values that do not fit the declaration of this version. */
  invalid: ValueProblem[]
  /** Keys stored for the plugin that this version does not declare (kept, unused). */
  undeclared: string[]
}

/** The declared settings of a plugin version against the values stored for the plugin. */
export function settingsState(
  declarations: SettingDeclaration[],
  stored: Map<string, { value: unknown; updatedAt?: string }>,
): SettingsState {
  const settings = declarations.map((d): SettingState => {
    const s = stored.get(d.name)
    return {
      name: d.name,
      type: d.type,
      required: d.required,
      secret: d.secret,
      description: d.description,
      choices: d.choices,
      default: d.default ?? null,
      value: s ? s.value : null,
      source: s ? 'set' : d.default !== undefined ? 'default' : 'unset',
      updatedAt: s?.updatedAt ?? null,
    }
  })
  const invalid = declarations.flatMap((d) =>
    stored.has(d.name) ? [storedValueProblem(d, stored.get(d.name)!.value)].filter((p) => p !== null) : [],
  )
  return {
    settings,
    missing: settings.filter((s) => s.required && s.source === 'unset').map((s) => s.name),
    invalid,
    undeclared: [...stored.keys()].filter((k) => !declarations.some((d) => d.name === k)).sort(),
  }
}

/** The command that fixes the missing and invalid keys. */
export function settingsFixCommand(plugin: string, declarations: SettingDeclaration[], keys: string[]): string {
  const parts = keys
    .map((k) => declarations.find((d) => d.name === k))
    .filter((d) => d !== undefined)
    .map((d) => exampleOf(d).split(' ')[0])
  return `app plugins settings ${plugin} set ${parts.join(' ')}`
}

/** The SETTINGS_INVALID message of a plugin, or null when its settings are complete and well typed. */
export function settingsProblemMessage(plugin: string, declarations: SettingDeclaration[], state: SettingsState): string | null {
  if (!state.missing.length && !state.invalid.length) return null
  const parts: string[] = []
  const one = state.missing.length === 1
  if (state.missing.length)
    parts.push(`the required setting${one ? '' : 's'} ${state.missing.map((k) => `"${k}"`).join(', ')} ${one ? 'is' : 'are'} not set`)
  for (const p of state.invalid) parts.push(`"${p.key}" holds ${p.found}, expected ${p.expected}`)
  const keys = [...state.missing, ...state.invalid.map((p) => p.key)]
  return `plugin "${plugin}": ${parts.join('; ')}. Until then, its code that reads ${keys.length === 1 ? 'it' : 'them'} fails with PermanentError (not retried). Set ${keys.length === 1 ? 'it' : 'them'}: ${settingsFixCommand(plugin, declarations, keys)}`
}
