import { createHash } from 'node:crypto'

export const REDACTED = '***'

/**
 * A URL as it may be shown, logged and stored (DESIGN section 9): user,
 * password and every query value replaced by ***, so `?api_key=...` and
 * `https://user:pass@...` never reach a warning, a source key, a log line or
 * the store. Query keys stay, so the reader still sees which parameter it was;
 * a bare query word (`?s3cret`) may itself be a token and is replaced whole.
 */
export function redactUrl(url: URL | string): string {
  const u = new URL(url)
  if (u.username) u.username = REDACTED
  if (u.password) u.password = REDACTED
  if (u.search) {
    u.search = u.search
      .slice(1)
      .split('&')
      .map((part) => {
        const eq = part.indexOf('=')
        if (eq < 0) return part ? REDACTED : part
        return `${part.slice(0, eq)}=${REDACTED}`
      })
      .join('&')
  }
  return u.toString()
}

/**
 * redactUrl, plus a short hash of the URL (without its user info) when it
 * has a query: a stable key (source key, state key) that still tells apart
 * two URLs that differ only in a query value (`?file=a.tgz`, `?file=b.tgz`).
 * Credentials are left out of the hash, so rotating a password keeps the key.
 */
export function redactedKey(url: URL | string): string {
  const u = new URL(url)
  u.username = ''
  u.password = ''
  return u.search ? `${redactUrl(url)} #${createHash('sha256').update(u.toString()).digest('hex').slice(0, 12)}` : redactUrl(url)
}

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi

/** Every scheme://... in free text redacted; a URL that does not parse loses its user info and query values anyway. */
export function redactUrlsIn(text: string): string {
  return text.replace(URL_IN_TEXT, (found) => {
    try {
      return redactUrl(found)
    } catch {
      return found.replace(/^([^:]+:\/\/)[^/?#]*@/, `$1${REDACTED}@`).replace(/([?&][^=&#]*)=[^&#]*/g, `$1=${REDACTED}`)
    }
  })
}
