/**
 * A plugin's own settings, declared in its manifest (DESIGN section 5b):
 *   "settings": [{ "name": "webhookUrl", "type": "string", "required": true, "description": "..." },
 *                { "name": "token", "type": "string", "secret": true },
 *                { "name": "level", "type": "choice", "choices": ["low", "high"], "default": "high" }]
 * Operators set the values (`app plugins settings <name> set key=value`); they live in runtime.db.
 */

export const SETTING_TYPES = ['string', 'number', 'boolean', 'list', 'choice'] as const
export type SettingType = (typeof SETTING_TYPES)[number]

/** What a list holds: scalars only, so `a,b,c` on the command line and a JSON array mean the same. */
export type ListItem = string | number | boolean
export type SettingValue = string | number | boolean | ListItem[]

export interface SettingDeclaration {
  name: string
  type: SettingType
  required: boolean
  /** Its value is a reference (env:NAME or file:/path), resolved by settings.secret() in the process that reads it. */
  secret: boolean
  description: string | null
  /** The allowed values of a `choice`. */
  choices: string[] | null
  /** Absent when the declaration has none. */
  default?: SettingValue
}

/** Keys: what `set key=value` can name (no "=", no spaces), and short. */
export const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/
const KEYS = new Set(['name', 'type', 'required', 'secret', 'description', 'choices', 'default'])

/** An env:NAME reference (NAME an environment variable name) or a file:/absolute/path one. */
export const SECRET_REFERENCE = /^(?:env:[A-Za-z_][A-Za-z0-9_]*|file:\/.+)$/

/** One thing wrong with a declaration: where (relative to "settings"), what was expected, and what was found. */
export interface DeclarationProblem {
  path: Array<string | number>
  message: string
}

const isScalar = (v: unknown): v is ListItem =>
  typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean'

/** What a value of this declaration must be, in words: "a number", "one of low, high". */
export function expectedOf(d: Pick<SettingDeclaration, 'type' | 'secret' | 'choices'>): string {
  if (d.secret) return 'a secret reference, env:NAME or file:/absolute/path'
  switch (d.type) {
    case 'string':
      return 'a string'
    case 'number':
      return 'a number'
    case 'boolean':
      return 'true or false'
    case 'list':
      return 'a list (comma-separated, or a JSON array of strings, numbers or booleans)'
    case 'choice':
      return `one of ${(d.choices ?? []).join(', ')}`
  }
}

/** Null when the (typed) value fits the declaration, else what was expected. */
export function checkValue(d: Pick<SettingDeclaration, 'type' | 'secret' | 'choices'>, value: unknown): string | null {
  const ok =
    d.type === 'string'
      ? typeof value === 'string' && (!d.secret || SECRET_REFERENCE.test(value))
      : d.type === 'number'
        ? typeof value === 'number' && Number.isFinite(value)
        : d.type === 'boolean'
          ? typeof value === 'boolean'
          : d.type === 'list'
            ? Array.isArray(value) && value.every(isScalar)
            : typeof value === 'string' && (d.choices ?? []).includes(value)
  return ok ? null : expectedOf(d)
}

/**
 * Checks the manifest's "settings" array: every problem, each with its path
 * and a message saying what was expected (the caller adds what was found).
 */
export function checkDeclarations(raw: unknown): DeclarationProblem[] {
  if (raw === undefined) return []
  if (!Array.isArray(raw))
    return [{ path: [], message: 'expected an array of settings such as [{"name": "webhookUrl", "type": "string", "required": true}]' }]
  const problems: DeclarationProblem[] = []
  const seen = new Set<string>()
  // biome-ignore lint/suspicious/useIterableCallbackReturn: its returns are early exits after add(); forEach drops them
  raw.forEach((item, i) => {
    const add = (key: string | null, message: string) => problems.push({ path: key === null ? [i] : [i, key], message })
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return add(null, 'expected an object {"name", "type", ...}')
    const s = item as Record<string, unknown>
    const label = typeof s.name === 'string' ? `setting "${s.name}": ` : ''
    for (const key of Object.keys(s)) if (!KEYS.has(key)) add(key, `${label}unknown key "${key}"; expected only ${[...KEYS].join(', ')}`)
    if (typeof s.name !== 'string' || !SETTING_NAME.test(s.name))
      add('name', 'expected a name of letters, digits, "_", "." or "-" starting with a letter or "_" (at most 64), such as "webhookUrl"')
    else if (seen.has(s.name)) add('name', `setting "${s.name}" is declared twice; expected each name once`)
    else seen.add(s.name)
    if (!SETTING_TYPES.includes(s.type as SettingType))
      return add('type', `${label}expected "type" to be one of ${SETTING_TYPES.join(', ')}`)
    for (const key of ['required', 'secret'] as const)
      if (s[key] !== undefined && typeof s[key] !== 'boolean') add(key, `${label}expected true or false`)
    if (s.description !== undefined && typeof s.description !== 'string') add('description', `${label}expected a string`)
    if (s.secret === true && s.type !== 'string')
      add('secret', `${label}expected a secret to be of type "string" (its value is a reference, env:NAME or file:/path)`)
    if (s.type === 'choice') {
      const c = s.choices
      if (!Array.isArray(c) || !c.length || c.some((x) => typeof x !== 'string') || new Set(c).size !== c.length)
        add('choices', `${label}expected a "choice" to list its choices as distinct strings, such as ["low", "high"]`)
    } else if (s.choices !== undefined) add('choices', `${label}expected "choices" only with "type": "choice"`)
    if (s.default !== undefined) {
      const d = {
        type: s.type as SettingType,
        secret: s.secret === true,
        choices: Array.isArray(s.choices) ? (s.choices as string[]) : null,
      }
      const expected = checkValue(d, s.default)
      if (expected) add('default', `${label}expected the default to be ${expected}`)
    }
  })
  return problems
}

/**
 * The declarations of a stored manifest (validated at publish), normalized.
 * Anything malformed is skipped rather than thrown: the manifest was checked
 * when it was published, and a reader must not fail on an older store.
 */
export function declaredSettings(manifest: Record<string, unknown> | null | undefined): SettingDeclaration[] {
  const raw = manifest?.settings
  if (!Array.isArray(raw)) return []
  const out: SettingDeclaration[] = []
  for (const item of raw as Array<Record<string, unknown>>) {
    if (typeof item?.name !== 'string' || !SETTING_TYPES.includes(item.type as SettingType)) continue
    const d: SettingDeclaration = {
      name: item.name,
      type: item.type as SettingType,
      required: item.required === true,
      secret: item.secret === true,
      description: typeof item.description === 'string' ? item.description : null,
      choices: Array.isArray(item.choices) ? (item.choices as string[]) : null,
    }
    if (item.default !== undefined) d.default = item.default as SettingValue
    out.push(d)
  }
  return out
}
