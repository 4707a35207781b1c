import { checkValue, expectedOf, type ListItem, type SettingDeclaration, type SettingValue } from './setting-declaration.ts'

/** A value that does not fit: what was expected, what was found (a secret's plain value is never repeated), and the fix. */
export interface ValueProblem {
  key: string
  expected: string
  found: string
  fix: string
}

/** How a rejected input is shown: a secret given as a plain value may be the secret itself, so only its length is. */
export function describeInput(d: Pick<SettingDeclaration, 'secret'> | null, text: string): string {
  if (d?.secret) return `a plain value of ${text.length} character(s), not shown since it may be the secret itself`
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text)
}

function parseList(text: string): ListItem[] | null {
  if (text.trimStart().startsWith('[')) {
    try {
      const v = JSON.parse(text) as unknown
      return Array.isArray(v) ? (v as ListItem[]) : null
    } catch {
      return null
    }
  }
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
}

/** How to write a good value for this declaration on the command line. */
export function exampleOf(d: SettingDeclaration): string {
  if (d.secret) return `${d.name}=file:/run/secrets/${d.name} (or ${d.name}=env:${d.name.replace(/[^A-Za-z0-9_]/g, '_').toUpperCase()})`
  switch (d.type) {
    case 'string':
      return `${d.name}=<text>`
    case 'number':
      return `${d.name}=42`
    case 'boolean':
      return `${d.name}=true or ${d.name}=false`
    case 'list':
      return `${d.name}=a,b,c or ${d.name}='["a","b"]'`
    case 'choice':
      return (d.choices ?? []).map((c) => `${d.name}=${c}`).join(' or ')
  }
}

/**
 * Parses `key=value` text by the declared type: numbers, true/false,
 * comma-separated lists or a JSON array, a choice among the declared ones,
 * and a secret only as a reference (env:NAME or file:/path).
 */
export function parseSettingValue(d: SettingDeclaration, text: string): { value: SettingValue } | { problem: ValueProblem } {
  let value: unknown = text
  if (d.type === 'number') value = text.trim() === '' ? NaN : Number(text)
  else if (d.type === 'boolean') value = text === 'true' ? true : text === 'false' ? false : text
  else if (d.type === 'list') value = parseList(text) ?? text
  const expected = checkValue(d, value)
  if (expected === null) return { value: value as SettingValue }
  const fix = d.secret
    ? `store the secret in a file (systemd credentials, Docker secrets) or an environment variable of the roles, and give its reference: ${exampleOf(d)}`
    : `give ${exampleOf(d)}`
  return {
    problem: {
      key: d.name,
      expected: d.type === 'list' && Array.isArray(value) ? 'a list of strings, numbers or booleans' : expected,
      found: describeInput(d, text),
      fix,
    },
  }
}

/** The stored value does not fit the declaration of the running version (its type changed in an update, say). */
export function storedValueProblem(d: SettingDeclaration, value: unknown): ValueProblem | null {
  const expected = checkValue(d, value)
  if (expected === null) return null
  return {
    key: d.name,
    expected: expectedOf(d),
    found: d.secret ? 'a value that is not a reference (not shown)' : (JSON.stringify(value)?.slice(0, 200) ?? 'nothing'),
    fix: `set it again: ${exampleOf(d)}`,
  }
}
