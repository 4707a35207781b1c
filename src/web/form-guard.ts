import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { constantTimeEqual } from './constant-time-equal.ts'
import { safeNext } from './login-routes.ts'
import { refusal } from './page-response.ts'
import type { WebDeps } from './web-deps.ts'

/** Operator forms are small: a note, a version, a few settings. */
export const smallForm: MiddlewareHandler = bodyLimit({
  maxSize: 64 * 1024,
  onError: (c) => c.text('form too large (64 KiB at most)\n', 413),
})

/**
 * The fields of an operator's POST. A signed-in browser's form must carry its
 * session's CSRF token (cross-origin posts are already refused); a script
 * with the Bearer token needs none, since no browser sends that header by
 * itself. Returns a refusal response instead when the token is missing or wrong.
 */
export async function readForm(c: Context, deps: WebDeps): Promise<Record<string, string> | Response> {
  const body = await c.req.parseBody().catch(() => ({}))
  const form: Record<string, string> = {}
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') form[k] = v
  if (c.req.header('authorization') !== undefined) return form
  const expected = deps.auth.csrfFor(c)
  if (!expected || typeof form.csrf !== 'string' || !constantTimeEqual(expected, form.csrf)) {
    return refusal(c, deps, {
      status: 403,
      code: 'CSRF_INVALID',
      title: 'Form refused',
      message: "The form did not carry this session's CSRF token (it expired, or came from an old page). Reload the page and try again.",
      back: [safeNext(form.next), 'Back'],
    })
  }
  return form
}
