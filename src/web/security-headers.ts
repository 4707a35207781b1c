import type { MiddlewareHandler } from 'hono'

/** default-src 'self': no inline scripts, no CDN; plugin frontend files are same-origin, so they load. */
export const CONTENT_SECURITY_POLICY = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"

/** What every response carries (Cache-Control only when the route set none). */
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin', // not no-referrer: with it, Chrome sends `Origin: null` on our own form posts
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
}

const complete = new WeakSet<Response>()
/** The full header record per Content-Type, built once: nothing downstream changes it. */
const records = new Map<string, Record<string, string>>()

/**
 * A 200 of cached bytes that already carries every security header, as a plain record: the middleware
 * leaves it alone, so no Headers object is built, validated and walked for it (on the busiest pages that
 * was a tenth of a request's time). `type` is the Content-Type; `gzip` says the body is gzip-encoded.
 */
export function securedBody(body: Uint8Array, type: string, gzip = false): Response {
  const key = gzip ? `${type};gzip` : type
  let headers = records.get(key)
  if (!headers) {
    // Vary on both: the same URL answers in gzip or not, by Accept-Encoding (gzip-body.ts).
    const encoding: Record<string, string> = gzip ? { 'Content-Encoding': 'gzip' } : {}
    headers = { 'Content-Type': type, ...encoding, Vary: 'Accept-Encoding', ...SECURITY_HEADERS, 'Cache-Control': 'no-store' }
    records.set(key, headers)
  }
  const res = new Response(body as Uint8Array<ArrayBuffer>, { status: 200, headers })
  complete.add(res)
  return res
}

/**
 * Headers on every response, plugin routes included. Any CORS header a plugin
 * route sets is dropped: the admin API is same-origin only.
 */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next()
    if (complete.has(c.res)) return
    // Response.redirect() and fetched responses have immutable headers: copy those first.
    try {
      c.res.headers.set('X-Content-Type-Options', 'nosniff')
    } catch {
      c.res = new Response(c.res.body, c.res)
    }
    const h = c.res.headers
    for (const name of [...h.keys()]) if (name.startsWith('access-control-')) h.delete(name)
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) h.set(name, value)
    if (!h.has('Cache-Control')) h.set('Cache-Control', 'no-store')
  }
}
