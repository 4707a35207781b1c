import { redactUrl, redactUrlsIn } from './redact-url.ts'

/** Key names whose values are credentials (headers, auth, passwords, tokens...): never echoed. */
const SECRET_KEY = /header|auth|passw|token|secret|credential|cookie|api.?key|private/i
/** Key names that hold a URL: shown only redacted, since user info may carry a password. */
const URL_KEY = /url|uri|endpoint/i

/**
 * "found ..." for a config error (DESIGN section 10: the key, the expected
 * value and what was found), under one rule: never echo a value that may be
 * a secret (DESIGN section 9). A value under a secret-named key is described
 * by its type only; a URL loses its user info and query values; a table or
 * list is described by its shape, since anything may sit inside it.
 */
export function describeFound(path: readonly PropertyKey[], value: unknown): string {
  const names = path.filter((k): k is string => typeof k === 'string')
  if (names.some((k) => SECRET_KEY.test(k))) return `found ${kindOf(value)} (not shown: ${path.map(String).join('.')} may hold a secret)`
  if (Array.isArray(value)) return `found a list of ${value.length} item(s)`
  if (value !== null && typeof value === 'object') return `found a table with key(s) ${Object.keys(value).join(', ') || '(none)'}`
  if (typeof value !== 'string') return `found ${JSON.stringify(value)}`
  if (URL_KEY.test(names.at(-1) ?? '')) {
    // "user:pass@host/x" parses as a URL of scheme "user:" whose path is the rest: only a URL with a host is shown, redacted.
    const url = URL.parse(value)
    if (url?.host) return `found ${JSON.stringify(redactUrl(url))}`
    return `found ${value.length} characters that are not a URL with a host (not shown: they may hold credentials)`
  }
  return `found ${JSON.stringify(redactUrlsIn(value))}`
}

function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'a list'
  if (value === null) return 'null'
  if (typeof value === 'string') return `a string of ${value.length} characters`
  return typeof value === 'object' ? 'a table' : `a ${typeof value}`
}

/** " at line L, column C" (or " at position N") of a JSON.parse error, without the text V8 quotes from the input. */
export function jsonErrorPosition(error: unknown): string {
  const message = (error as Error)?.message ?? ''
  const lineCol = /\(line (\d+) column (\d+)\)/.exec(message)
  if (lineCol) return ` at line ${lineCol[1]}, column ${lineCol[2]}`
  const position = /at position (\d+)/.exec(message)
  if (position) return ` at position ${position[1]}`
  return /Unexpected end of JSON input/.test(message) ? ' (it ends too early)' : ''
}
