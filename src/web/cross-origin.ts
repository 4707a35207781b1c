import type { Context, MiddlewareHandler } from 'hono'
import { jsonError } from './web-deps.ts'

const SAFE_METHODS = new Set(['GET', 'HEAD'])

/** This admin's own origin as the browser sees it (https when a TLS-terminating proxy says so). */
function ownOrigins(c: Context): string[] {
  const url = new URL(c.req.url)
  return c.req.header('x-forwarded-proto') === 'https' ? [url.origin, `https://${url.host}`] : [url.origin]
}

/**
 * Why the browser says this request comes from another origin, or null.
 * `Origin` must be this admin's own; `Sec-Fetch-Site` may only say
 * same-origin or none. Another port of the same host is another origin but
 * the same *site*: SameSite=Strict cookies still go along, hence both checks.
 * Scripts send neither header and pass (they need the Bearer token anyway).
 */
export function crossOriginReason(c: Context): string | null {
  const found: string[] = []
  const origin = c.req.header('origin')
  if (origin !== undefined && !ownOrigins(c).includes(origin.toLowerCase())) found.push(`Origin: ${origin}`)
  const site = c.req.header('sec-fetch-site')
  if (site !== undefined && site !== 'same-origin' && site !== 'none') found.push(`Sec-Fetch-Site: ${site}`)
  return found.length ? found.join(', ') : null
}

/**
 * Refuses with 403 every request that is not GET or HEAD and comes from
 * another origin, on every path, plugin routes included: a form on another
 * port of this host would otherwise act with the admin's cookie. `skip`
 * names paths that run the same check themselves with their own answer.
 */
export function refuseCrossOrigin(options: { machine: RegExp; skip: Set<string> }): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method) || options.skip.has(c.req.path)) return next()
    const reason = crossOriginReason(c)
    if (!reason) return next()
    const message =
      `refused: ${c.req.method} ${c.req.path} came from another origin (${reason}); this admin accepts changes only from its own pages at ${ownOrigins(c)[0]}. ` +
      'Scripts: send "Authorization: Bearer <token>" and no Origin header. If operators reach the admin through a proxy, it must keep the Host header.'
    return options.machine.test(c.req.path) ? c.json(jsonError('CROSS_ORIGIN', message), 403) : c.text(`${message}\n`, 403)
  }
}
