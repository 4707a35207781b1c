import type { Context } from 'hono'
import { html } from 'hono/html'
import type { ApiCode } from '../errors/codes.ts'
import { renderPage, type LayoutOptions } from './pages/layout.ts'
import { jsonError, type WebDeps } from './web-deps.ts'

export type PageStatus = 200 | 400 | 403 | 404 | 409
type PageOptions = Omit<LayoutOptions, 'csrf' | 'snapshot' | 'safe'> & { snapshot?: LayoutOptions['snapshot'] }

/** An admin page in the shell: the session's CSRF token, the snapshot's banner and plugin files (none with ?safe=1). */
export async function pageResponse(c: Context, deps: WebDeps, o: PageOptions, status: PageStatus = 200): Promise<Response> {
  const snapshot = o.snapshot === undefined ? await deps.snapshots.get() : o.snapshot
  return c.html(await renderPage({ ...o, snapshot, csrf: deps.auth.csrfFor(c), safe: isSafe(c) }), status)
}

/** ?safe=1 (or any value but 0): render without plugin frontend files. */
export const isSafe = (c: Context) => {
  const v = c.req.query('safe')
  return v !== undefined && v !== '0'
}

/** Scripts (Bearer token, or asking for JSON) get JSON; a browser gets a page. */
export const wantsJson = (c: Context) =>
  c.req.header('authorization') !== undefined || /application\/json/.test(c.req.header('accept') ?? '')

/** A refusal as JSON for scripts, or as a page that says what went wrong and how to go on. */
export async function refusal(
  c: Context,
  deps: WebDeps,
  o: { status: PageStatus; code: ApiCode; title: string; message: string; back?: [string, string] },
): Promise<Response> {
  if (wantsJson(c)) return c.json(jsonError(o.code, o.message), o.status)
  return pageResponse(
    c,
    deps,
    {
      title: o.title,
      body: html`<h1>${o.title}</h1><p class="banner error" role="alert">${o.message}</p>${o.back ? html`<p><a href="${o.back[0]}">${o.back[1]}</a></p>` : ''}`,
    },
    o.status,
  )
}
