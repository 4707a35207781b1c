import type { MiddlewareHandler } from 'hono'

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]', ''])

/** The names this admin answers to: the listen host, loopback names, and config.allowedHosts. */
export function allowedHostNames(listenHost: string, extra: string[] = []): string[] {
  const names = ['localhost', '127.0.0.1', '::1', ...extra]
  if (!WILDCARDS.has(listenHost)) names.push(listenHost)
  return [...new Set(names.map(normalize))]
}

const normalize = (host: string) => host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1')

/**
 * Refuses requests whose Host names another site: a DNS-rebinding page in the
 * operator's browser would otherwise reach the admin with the browser's cookies.
 */
export function hostAllowlist(names: string[]): MiddlewareHandler {
  const allowed = new Set(names.map(normalize))
  return async (c, next) => {
    const host = normalize(new URL(c.req.url).hostname)
    if (allowed.has(host)) return next()
    return c.text(`Host "${host}" is not allowed here. Allowed: ${[...allowed].join(', ')}. If operators reach this admin under that name, add it to allowedHosts in app.toml.\n`, 421)
  }
}
