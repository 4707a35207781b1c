import type { Context, MiddlewareHandler } from 'hono'

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]', ''])

/** The names this admin answers to: the listen host, loopback names, and config.allowedHosts. */
export function allowedHostNames(listenHost: string, extra: string[] = []): string[] {
  const names = ['localhost', '127.0.0.1', '::1', ...extra]
  if (!WILDCARDS.has(listenHost)) names.push(listenHost)
  return [...new Set(names.map(normalize))]
}

const normalize = (host: string) =>
  host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')

/** The host name of a Host header value (`name`, `name:port`, `[v6]:port`), lower case, without brackets or port. */
export function hostNameOf(value: string): string {
  const v = value.trim().toLowerCase()
  if (v.startsWith('[')) return v.slice(1, v.indexOf(']') > 0 ? v.indexOf(']') : undefined)
  const colon = v.indexOf(':')
  return colon >= 0 && v.indexOf(':', colon + 1) < 0 ? v.slice(0, colon) : v
}

/**
 * Refuses requests whose Host names another site: a DNS-rebinding page in the
 * operator's browser would otherwise reach the admin with the browser's cookies.
 * The Host header itself is checked (the URL is built from it only for
 * origin-form targets); an absolute-form target (`GET http://x/ HTTP/1.1`)
 * must name the same host as the header. In-process requests carry no Host
 * header: their URL's host is checked instead.
 */
export function hostAllowlist(names: string[]): MiddlewareHandler {
  const allowed = new Set(names.map(normalize))
  const notAllowed = (c: Context, host: string) =>
    c.text(
      `Host "${host}" is not allowed here. Allowed: ${[...allowed].join(', ')}. If operators reach this admin under that name, add it to allowedHosts in app.toml.\n`,
      421,
    )
  return async (c, next) => {
    const header = c.req.header('host')
    const host = header === undefined ? null : hostNameOf(header)
    // An origin-form target (nearly every request): its URL was built from this very header, so they agree.
    if (host !== null && allowed.has(host) && c.req.url.startsWith(`http://${header}/`)) return next()
    const urlHost = normalize(new URL(c.req.url).hostname)
    if (host === null) return allowed.has(urlHost) ? next() : notAllowed(c, urlHost)
    if (host !== urlHost) {
      return c.text(
        `The request target names host "${urlHost}" but its Host header says "${host}"; they must agree. Send an origin-form target (GET /path) with Host set to one of: ${[...allowed].join(', ')}.\n`,
        421,
      )
    }
    return allowed.has(host) ? next() : notAllowed(c, host)
  }
}
