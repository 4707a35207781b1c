import { randomBytes } from 'node:crypto'
import type { Context, Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { constantTimeEqual } from './constant-time-equal.ts'
import { crossOriginReason } from './cross-origin.ts'
import { loginPage } from './pages/login-page.ts'
import {
  clearStraySessionCookies,
  LOGIN_CSRF_COOKIE,
  secureCookies as secure,
  SESSION_COOKIE,
  setSessionCookie,
} from './session-cookies.ts'
import type { WebDeps } from './web-deps.ts'

export const LANDING = '/settings/integrations/plugins'

/** Only same-site paths: `//evil.example` and `/\evil.example` are other sites to a browser. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[^\s\\]*$/.test(next) ? next : LANDING
}

/** The optional "Your name": one line of at most 80 printable characters, or null. */
export function displayNameOf(value: unknown): string | null {
  if (typeof value !== 'string') return null
  const name = value
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '')
    .trim()
    .slice(0, 80)
  return name || null
}

/** A form post from another origin (another site, or another port of this host): the browser says so in Origin or Sec-Fetch-Site. */
const crossSite = (c: Context) => crossOriginReason(c) !== null

/**
 * Sign-in and sign-out. The login form has its own double-submit CSRF token
 * (there is no session yet); sign-out carries the session's token. The form
 * asks for the admin token and, optionally, the operator's name (kept in the
 * server-side session: acknowledgements and the audit list say who). Sign-in and sign-out both clear stray
 * `app_session` cookies on narrower paths (set by another app on this host).
 */
export function addLoginRoutes(app: Hono, { auth }: WebDeps): void {
  const small = bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.text('form too large\n', 413) })
  const showForm = async (c: Context, status: 200 | 401 | 403 | 429, next: string, error?: string) => {
    // Reuse the browser's token: a second GET /login (another tab, a favicon redirect) must not void the form on screen.
    const existing = getCookie(c, LOGIN_CSRF_COOKIE)
    const csrf = existing && /^[A-Za-z0-9_-]{32}$/.test(existing) ? existing : randomBytes(24).toString('base64url')
    setCookie(c, LOGIN_CSRF_COOKIE, csrf, { path: '/login', httpOnly: true, sameSite: 'Strict', secure: secure(c), maxAge: 3600 })
    return c.html(await loginPage({ csrf, next, error }), status)
  }

  app.get('/login', async (c) =>
    (await auth.check(c)) ? c.redirect(safeNext(c.req.query('next')), 302) : showForm(c, 200, safeNext(c.req.query('next'))),
  )

  app.post('/login', small, async (c) => {
    const form = await c.req.parseBody()
    const next = safeNext(form.next)
    const cookie = getCookie(c, LOGIN_CSRF_COOKIE)
    if (crossSite(c) || !cookie || typeof form.csrf !== 'string' || !constantTimeEqual(cookie, form.csrf)) {
      return showForm(c, 403, next, 'The sign-in form expired or came from another site. Enter the token again.')
    }
    const wait = auth.retryAfterS(c)
    if (wait) {
      c.header('Retry-After', String(wait))
      return showForm(c, 429, next, `Too many failed sign-ins from your address. Try again in ${wait} s.`)
    }
    if (typeof form.token !== 'string' || !auth.tokenMatches(c, form.token.trim())) {
      return showForm(c, 401, next, 'That is not the admin token.')
    }
    await auth.endSessions(c) // a new sign-in replaces whatever session this browser had
    deleteCookie(c, LOGIN_CSRF_COOKIE, { path: '/login' })
    setSessionCookie(c, (await auth.startSession(displayNameOf(form.name))).id, auth.sessionMaxAgeS)
    clearStraySessionCookies(c, [next])
    return c.redirect(next, 303)
  })

  app.post('/logout', small, async (c) => {
    const form = await c.req.parseBody()
    const expected = auth.csrfFor(c)
    if (crossSite(c) || !expected || typeof form.csrf !== 'string' || !constantTimeEqual(expected, form.csrf)) {
      return c.text("Sign-out refused: the form did not carry this session's CSRF token. Use the Log out button of an admin page.\n", 403)
    }
    await auth.endSessions(c)
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: secure(c) })
    clearStraySessionCookies(c)
    return c.redirect('/login', 303)
  })
}
