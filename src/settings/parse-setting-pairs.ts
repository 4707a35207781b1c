import { describeInput, parseSettingValue, type ValueProblem } from './parse-setting-value.ts'
import type { SettingDeclaration, SettingValue } from './setting-declaration.ts'

export interface SettingChange {
  key: string
  /** null: unset (`key=` with nothing after the "="). */
  value: SettingValue | null
}

/** Edits between two keys, a swap of neighbours counting as one ("levle" is one from "level"); case does not count. */
function distance(x: string, y: string): number {
  const a = x.toLowerCase()
  const b = y.toLowerCase()
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1)
    }
  }
  return d[a.length]![b.length]!
}

function closest(word: string, names: string[]): string | null {
  const best = names.map((n) => ({ n, d: distance(word, n) })).sort((a, b) => a.d - b.d)[0]
  return best && best.d <= Math.max(1, Math.floor(word.length / 3)) ? best.n : null
}

/** A key that is not declared: what is, and the likely one meant. Shared with the bot settings check. */
export function unknownKeyFix(key: string, names: string[], where: string): { expected: string; fix: string } {
  const near = closest(key, names)
  return {
    expected: names.length ? `one of the settings ${where} declares: ${names.join(', ')}` : `no setting: ${where} declares none`,
    fix: near ? `did you mean "${near}"?` : names.length ? `use one of ${names.join(', ')}` : 'remove it',
  }
}

/**
 * `key=value` words of `app plugins settings <name> set`, checked against the
 * declarations of the plugin's current version: every problem, or the
 * changes to write (all of them, or none).
 */
export function parseSettingPairs(
  declarations: SettingDeclaration[],
  pairs: string[],
  where: string,
): { changes: SettingChange[]; problems: ValueProblem[] } {
  const changes: SettingChange[] = []
  const problems: ValueProblem[] = []
  const seen = new Set<string>()
  const names = declarations.map((d) => d.name)
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    if (eq <= 0) {
      const d = declarations.find((x) => x.name === pair)
      problems.push({
        key: eq === 0 ? '(none)' : pair,
        expected: 'key=value (key= with nothing after "=" unsets it)',
        found: describeInput(d ?? null, pair),
        fix: `write ${d ? `${pair}=<value>` : 'key=value'}`,
      })
      continue
    }
    const key = pair.slice(0, eq)
    const text = pair.slice(eq + 1)
    const d = declarations.find((x) => x.name === key)
    if (!d) {
      problems.push({ key, found: JSON.stringify(key), ...unknownKeyFix(key, names, where) })
      continue
    }
    if (seen.has(key)) {
      problems.push({ key, expected: 'each key once', found: `"${key}" given more than once`, fix: 'give it once' })
      continue
    }
    seen.add(key)
    if (text === '') {
      changes.push({ key, value: null })
      continue
    }
    const parsed = parseSettingValue(d, text)
    if ('problem' in parsed) problems.push(parsed.problem)
    else changes.push({ key, value: parsed.value })
  }
  return { changes, problems }
}
