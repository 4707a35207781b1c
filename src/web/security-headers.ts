import type { MiddlewareHandler } from 'hono'

/** default-src 'self': no inline scripts, no CDN; plugin frontend files are same-origin, so they load. */
export const CONTENT_SECURITY_POLICY = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"

/**
 * Headers on every response, plugin routes included. Any CORS header a plugin
 * route sets is dropped: the admin API is same-origin only.
 */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next()
    // Response.redirect() and fetched responses have immutable headers: copy those first.
    try {
      c.res.headers.set('X-Content-Type-Options', 'nosniff')
    } catch {
      c.res = new Response(c.res.body, c.res)
    }
    const h = c.res.headers
    for (const name of [...h.keys()]) if (name.startsWith('access-control-')) h.delete(name)
    h.set('Content-Security-Policy', CONTENT_SECURITY_POLICY)
    h.set('X-Content-Type-Options', 'nosniff')
    h.set('X-Frame-Options', 'DENY')
    h.set('Referrer-Policy', 'same-origin') // not no-referrer: with it, Chrome sends `Origin: null` on our own form posts
    h.set('Cross-Origin-Opener-Policy', 'same-origin')
    h.set('Cross-Origin-Resource-Policy', 'same-origin')
    if (!h.has('Cache-Control')) h.set('Cache-Control', 'no-store')
  }
}
