import { randomBytes } from 'node:crypto'
import type { Context, Hono } from 'hono'
import { html } from 'hono/html'
import { compareBundles } from './compare-versions.ts'
import { acceptsGzip, encodedBody, gzipAround } from './gzip-body.ts'
import { LANDING } from './login-routes.ts'
import { managePluginResponse } from './manage-plugin-response.ts'
import { renderPage } from './pages/layout.ts'
import { auditPage } from './pages/audit-page.ts'
import { comparePage } from './pages/compare-page.ts'
import { pluginPath } from './pages/page-parts.ts'
import { landingPages, PLUGINS_CRUMBS, pluginsPage } from './pages/plugins-page.ts'
import { processesPage } from './pages/processes-page.ts'
import { isSafe, pageResponse, refusal } from './page-response.ts'
import { parseWarningQuery, queryKey, selectWarnings } from './warning-query.ts'
import { securedBody } from './security-headers.ts'
import type { WebDeps } from './web-deps.ts'
import type { AdminSnapshot } from './admin-snapshot.ts'

/** Stands in for the per-session CSRF token in a cached page; random, so no plugin text can contain it. */
const CSRF_SLOT = `csrf-slot-${randomBytes(16).toString('hex')}`

const HTML_TYPE = 'text/html; charset=UTF-8'

/** The admin pages: the Plugins landing page (triage), Manage Plugin, compare, processes and audit. */
export function addPageRoutes(app: Hono, deps: WebDeps): void {
  app.get('/', (c) => c.redirect(LANDING, 302))
  app.get('/settings', (c) => c.redirect(LANDING, 302))
  app.get('/settings/integrations', (c) => c.redirect(LANDING, 302))
  app.get(LANDING, landing(deps))
  app.get(`${LANDING}/:name`, (c) => managePluginResponse(c, deps, c.req.param('name')))
  app.get(`${LANDING}/:name/compare`, (c) => compare(c, deps))

  app.get('/settings/processes', async (c) => {
    const snapshot = await deps.snapshots.get()
    return pageResponse(c, deps, {
      title: 'Processes',
      active: 'processes',
      crumbs: [['Settings'], ['Processes']],
      snapshot,
      body: processesPage(snapshot, await deps.runtime.processes.list(), Date.now()),
    })
  })

  app.get('/settings/audit', async (c) => {
    const offset = Math.max(0, Math.trunc(Number(c.req.query('offset') ?? 0)) || 0)
    const plugin = c.req.query('plugin') || null
    const { total, entries } = await deps.runtime.console.audit.list({ limit: 100, offset, plugin: plugin ?? undefined })
    return pageResponse(c, deps, {
      title: 'Audit',
      active: 'audit',
      crumbs: [['Settings'], ['Audit']],
      body: auditPage({ entries, total, offset, limit: 100, plugin }),
    })
  })
}

/**
 * The busiest page: rendered once per snapshot, view and second (its times say "3 s ago"), with
 * slots for the session's CSRF token (the log-out, acknowledge and action forms). What a URL's query
 * asks for is worked out once per snapshot too, so a repeated request is a few map lookups.
 */
function landing(deps: WebDeps) {
  return async (c: Context) => {
    const snapshot = await deps.snapshots.get()
    const url = c.req.url
    const search = url.includes('?') ? url.slice(url.indexOf('?')) : ''
    const view = await snapshot.memo(`landing-url:${search}`, Infinity, async () => landingView(snapshot, c))
    if ('problem' in view)
      return refusal(c, deps, {
        status: 400,
        code: 'BAD_QUERY',
        title: 'Plugins',
        message: view.problem.message,
        back: [LANDING, 'All open warnings'],
      })
    const csrf = deps.auth.csrfFor(c)
    const key = `${view.key}:${csrf ? 'form' : 'bearer'}`
    const parts = await snapshot.memo(key, 1000, async () => {
      const slot = csrf ? CSRF_SLOT : null
      const page = await renderPage({
        title: 'Plugins',
        active: 'plugins',
        crumbs: PLUGINS_CRUMBS,
        snapshot,
        safe: view.safe,
        csrf: slot,
        body: pluginsPage(snapshot, { ...view, now: Date.now(), csrf: slot }),
      })
      // Kept as bytes: encoding 60 KiB of text per request was a fifth of the CPU under load.
      return page.split(CSRF_SLOT).map((part) => Buffer.from(part))
    })
    if (parts.length === 1) return encodedBody(c, parts[0]!, HTML_TYPE)
    const gzip = acceptsGzip(c.req.header('accept-encoding'))
    // Each form carries the session's token: the page is put together once per session and view, not per
    // request (joining ~100 pieces into 130 KiB was most of a signed-in request's time).
    const page = await snapshot.memo(`${key}:${csrf}:${gzip}`, 1000, async () => {
      const token = Buffer.from(csrf!)
      return gzip ? gzipAround(parts, token) : Buffer.concat(parts.flatMap((part, i) => (i ? [token, part] : [part])))
    })
    return securedBody(page, HTML_TYPE, gzip)
  }
}

/** What the landing page's query asks for: the triage view, its warnings, the pages of both lists, ?safe. */
async function landingView(snapshot: AdminSnapshot, c: Context) {
  const parsed = parseWarningQuery(c.req.query())
  if ('problem' in parsed) return parsed
  const { query } = parsed
  const filter = queryKey(query)
  const selected = await snapshot.memo(`select:${filter}`, Infinity, async () =>
    selectWarnings(snapshot.report.warnings, snapshot.acks, query),
  )
  const rows = snapshot.report.plugins.length + Object.keys(snapshot.disabled).length
  const { wpage, ppage } = landingPages(selected.length, rows, Number(c.req.query('wpage') ?? 1), Number(c.req.query('ppage') ?? 1))
  const safe = isSafe(c)
  return { query, selected, wpage, ppage, safe, key: `landing:${wpage}:${ppage}:${filter}:${safe}` }
}

/** GET .../:name/compare?from=V&to=V: files added, removed and changed between two stored versions, rejected ones included. */
async function compare(c: Context, deps: WebDeps): Promise<Response> {
  const name = c.req.param('name')!
  const versions = await deps.store.history(name)
  const crumbs: Array<[string, string?]> = [['Settings'], ['Integrations'], ['Plugins', LANDING], [name, pluginPath(name)], ['Compare']]
  if (!versions.length)
    return refusal(c, deps, {
      status: 404,
      code: 'PLUGIN_NOT_FOUND',
      title: 'No such plugin',
      message: `The store keeps no version of a plugin named "${name}".`,
      back: [LANDING, 'All plugins'],
    })
  const pick = (param: 'from' | 'to', fallback: number) => {
    const v = c.req.query(param)
    if (!v) return { version: versions[Math.min(fallback, versions.length - 1)]!, given: false }
    return { version: versions.find((h) => h.version === v) ?? null, given: true, asked: v }
  }
  const from = pick('from', 1)
  const to = pick('to', 0)
  for (const [param, p] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!p.version) {
      const list = [...new Set(versions.map((h) => h.version))].join(', ')
      return refusal(c, deps, {
        status: 404,
        code: 'VERSION_NOT_FOUND',
        title: `Compare versions of ${name}`,
        message: `${param}: the store keeps no version "${'asked' in p ? p.asked : ''}" of ${name}; versions kept: ${list}`,
        back: [`${pluginPath(name)}/compare`, 'Choose versions'],
      })
    }
  }
  const chosen = from.given || to.given || versions.length > 1
  const changes = chosen ? await compareBundles(deps.store, from.version!.bundleSha256, to.version!.bundleSha256) : null
  return pageResponse(c, deps, {
    title: `Compare · ${name}`,
    active: 'plugins',
    crumbs,
    body: comparePage({ plugin: name, versions, from: from.version, to: to.version, changes }),
  })
}

/** The 404 of an unknown admin URL, in the layout with its navigation. */
export async function notFoundPage(c: Context, deps: WebDeps): Promise<Response> {
  const path = new URL(c.req.url).pathname
  return pageResponse(
    c,
    deps,
    {
      title: 'Not found',
      body: html`<h1>Not found</h1><p>Nothing is at <code>${path}</code>.</p>
<p>Try <a href="${LANDING}">Plugins</a>, <a href="/settings/events">Events</a>, <a href="/settings/processes">Processes</a> or <a href="/settings/audit">Audit</a>.</p>`,
    },
    404,
  )
}
