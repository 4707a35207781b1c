import type { Context } from 'hono'
import { deleteCookie, setCookie } from 'hono/cookie'

export const SESSION_COOKIE = 'app_session'
export const LOGIN_CSRF_COOKIE = 'app_login_csrf'
/** Cookie names only this admin may set: plugin responses that name them lose those Set-Cookie lines. */
export const ADMIN_COOKIES = [SESSION_COOKIE, LOGIN_CSRF_COOKIE]

/** At most this many cookies of one name are looked up: each is a query. */
const MAX_SAME_NAME = 8

/**
 * Every value of cookie `name` in the request, in the browser's order (longer
 * paths first). Another app on another port of this host may have set one of
 * the same name on a narrower path (cookies ignore ports): it comes first, and
 * reading only that one would lock the admin out.
 */
export function cookieValues(c: Context, name: string): string[] {
  const header = c.req.header('cookie')
  if (!header) return []
  const values: string[] = []
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=')
    if (eq < 0 || pair.slice(0, eq).trim() !== name) continue
    values.push(
      pair
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1'),
    )
    if (values.length === MAX_SAME_NAME) break
  }
  return values
}

/** Secure cookies when the browser is on https, directly or through a TLS-terminating proxy (a forged header only costs the forger their cookie). */
export const secureCookies = (c: Context) => new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https'

export function setSessionCookie(c: Context, id: string, maxAgeS: number): void {
  setCookie(c, SESSION_COOKIE, id, { path: '/', httpOnly: true, sameSite: 'Strict', secure: secureCookies(c), maxAge: maxAgeS })
}

/** The admin's own paths (and their parents), where a stray cookie of our name would shadow the session. */
const ADMIN_PATHS = [
  '/settings/integrations/plugins',
  '/settings/processes',
  '/settings/events',
  '/api/v1',
  '/plugin',
  '/plugins',
  '/login',
  '/static',
  '/metrics',
]

/**
 * Expires `app_session` on every path but `/` under which a stray one may sit:
 * the parents of the admin's paths and of `alsoUnder` (where the browser is
 * going), each with and without a trailing slash. Ours lives on `/` only.
 */
export function clearStraySessionCookies(c: Context, alsoUnder: string[] = []): void {
  const paths = new Set<string>()
  for (const full of [...ADMIN_PATHS, ...alsoUnder]) {
    const segments = full.split(/[?#]/)[0]!.split('/').filter(Boolean)
    for (let i = 1; i <= segments.length && i <= 6; i++) {
      const prefix = segments.slice(0, i)
      if (prefix.some((s) => !/^[A-Za-z0-9._~%-]+$/.test(s))) break // nothing a Path attribute could not hold
      paths.add(`/${prefix.join('/')}`)
      paths.add(`/${prefix.join('/')}/`)
    }
  }
  for (const path of paths) deleteCookie(c, SESSION_COOKIE, { path, secure: secureCookies(c) })
}

/** Drops Set-Cookie lines that name one of ADMIN_COOKIES (any case); returns the response with the rest. */
export function withoutAdminCookies(res: Response): Response {
  const all = res.headers.getSetCookie()
  const kept = all.filter(
    (line) =>
      !ADMIN_COOKIES.includes(
        line
          .slice(0, Math.max(0, line.indexOf('=')))
          .trim()
          .toLowerCase(),
      ),
  )
  if (kept.length === all.length) return res
  const headers = new Headers(res.headers)
  headers.delete('set-cookie')
  for (const line of kept) headers.append('set-cookie', line)
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers })
}
