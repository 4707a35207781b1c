export type ExportedManifest = { ok: true; value: Record<string, unknown> } | { ok: false; message: string }

const EXPORT = /\bexport\s+(?:const|let|var)\s+manifest\s*(?::[^=]*)?=\s*|\b(?:module\.)?exports\.manifest\s*=\s*/

/**
 * The `manifest` a single-file plugin exports (`export const manifest = {...}`,
 * or `exports.manifest = {...}` in CommonJS), read as a literal without
 * running the module: the scheduler knows a plugin's name, version and
 * modules before any of its code runs, and a rescan costs no thread. Null
 * when the file exports no manifest.
 */
export function readExportedManifest(source: string): ExportedManifest | null {
  const found = EXPORT.exec(source)
  if (!found) return null
  let i = found.index + found[0].length
  const lineAt = (at: number) => source.slice(0, at).split('\n').length
  const fail = (what: string): never => {
    throw new SyntaxError(
      `${what} at line ${lineAt(i)}. The manifest of a single-file plugin is read without running the module, so it must be a literal: strings, numbers, booleans, null, objects and arrays, without variables, calls or spreads`,
    )
  }
  /** Matches re (sticky) at i and moves past it. */
  const take = (re: RegExp): string | null => {
    re.lastIndex = i
    const m = re.exec(source)
    if (!m) return null
    i += m[0].length
    return m[0]
  }
  const skip = () => {
    while (take(/\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\//y) !== null) {
      /* whitespace and comments */
    }
  }
  const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', 0: '\0' }
  const string = (): string => {
    const quote = source[i]!
    let out = ''
    for (i++; i < source.length; i++) {
      const c = source[i]!
      if (c === quote) {
        i++
        return out
      }
      if (c === '\n' && quote !== '`') break
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the message names the ${...} syntax an author must remove
      if (quote === '`' && c === '$' && source[i + 1] === '{') fail('expected a template string without ${...}')
      if (c !== '\\') {
        out += c
        continue
      }
      const e = source[++i]!
      const hex = /^(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|u\{([0-9a-fA-F]+)\})/.exec(source.slice(i))
      if (hex) {
        out += String.fromCodePoint(parseInt(hex[1] ?? hex[2] ?? hex[3]!, 16))
        i += hex[0].length - 1
      } else if (e !== '\n') out += ESCAPES[e] ?? e
    }
    return fail('expected the end of the string')
  }
  const value = (): unknown => {
    skip()
    const c = source[i]
    if (c === '{') {
      i++
      const obj: Record<string, unknown> = {}
      for (;;) {
        skip()
        if (source[i] === '}') {
          i++
          return obj
        }
        const key = source[i] === '"' || source[i] === "'" ? string() : (take(/[A-Za-z_$][\w$]*|\d+/y) ?? fail('expected a property name'))
        skip()
        if (source[i] === ',' || source[i] === '}') fail(`"${key}" is a shorthand property, which names a variable`)
        if (source[i] !== ':') fail(`expected ":" after "${key}"`)
        i++
        obj[key] = value()
        skip()
        if (source[i] === ',') i++
        else if (source[i] !== '}') fail('expected "," or "}"')
      }
    }
    if (c === '[') {
      i++
      const list: unknown[] = []
      for (;;) {
        skip()
        if (source[i] === ']') {
          i++
          return list
        }
        list.push(value())
        skip()
        if (source[i] === ',') i++
        else if (source[i] !== ']') fail('expected "," or "]"')
      }
    }
    if (c === '"' || c === "'" || c === '`') return string()
    const word = take(/(?:true|false|null)\b/y)
    if (word !== null) return JSON.parse(word) as unknown
    const number = take(/-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y)
    if (number !== null) return Number(number)
    return fail('expected a literal value')
  }
  try {
    const manifest = value()
    if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest))
      return { ok: false, message: `the exported manifest must be an object, found ${JSON.stringify(manifest)}` }
    return { ok: true, value: manifest as Record<string, unknown> }
  } catch (error) {
    return { ok: false, message: (error as Error).message }
  }
}
