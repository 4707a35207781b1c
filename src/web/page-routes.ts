import { randomBytes } from 'node:crypto'
import type { Context, Hono } from 'hono'
import { html } from 'hono/html'
import { LANDING } from './login-routes.ts'
import { renderPage, type LayoutOptions } from './pages/layout.ts'
import { managePluginPage } from './pages/manage-plugin-page.ts'
import { pluginPath } from './pages/page-parts.ts'
import { landingPages, PLUGINS_CRUMBS, pluginsPage } from './pages/plugins-page.ts'
import { processesPage } from './pages/processes-page.ts'
import { readPluginDetail } from './plugin-detail.ts'
import { listProcesses } from '../runtime/process-registry.ts'
import type { WebDeps } from './web-deps.ts'

/** Stands in for the per-session CSRF token in a cached page; random, so no plugin text can contain it. */
const CSRF_SLOT = `csrf-slot-${randomBytes(16).toString('hex')}`

const HTML_TYPE = { 'Content-Type': 'text/html; charset=UTF-8' }

/** The admin pages: the Plugins landing page, Manage Plugin, and processes. */
export function addPageRoutes(app: Hono, deps: WebDeps): void {
  const page = async (c: Context, o: Omit<LayoutOptions, 'csrf'>, status: 200 | 404 = 200) =>
    c.html(await renderPage({ ...o, csrf: deps.auth.csrfFor(c) }), status)

  app.get('/', (c) => c.redirect(LANDING, 302))
  app.get('/settings', (c) => c.redirect(LANDING, 302))
  app.get('/settings/integrations', (c) => c.redirect(LANDING, 302))

  // The busiest page: rendered once per snapshot, page and second (its times say "3 s ago"),
  // with a slot for the session's CSRF token.
  app.get(LANDING, async (c) => {
    const snapshot = await deps.snapshots.get()
    const { wpage, ppage } = landingPages(snapshot, Number(c.req.query('wpage') ?? 1), Number(c.req.query('ppage') ?? 1))
    const csrf = deps.auth.csrfFor(c)
    const [head, tail] = await snapshot.memo(`landing:${wpage}:${ppage}:${csrf ? 'form' : 'bearer'}`, 1000, async () => {
      const page = await renderPage({ title: 'Plugins', active: 'plugins', crumbs: PLUGINS_CRUMBS, snapshot, csrf: csrf ? CSRF_SLOT : null, body: pluginsPage(snapshot, { wpage, ppage, now: Date.now() }) })
      // Kept as bytes: encoding 60 KiB of text per request was a fifth of the CPU under load.
      return page.split(CSRF_SLOT).map((part) => new Uint8Array(Buffer.from(part))) as [Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>?]
    })
    return c.body(tail ? (Buffer.concat([head, Buffer.from(csrf!), tail]) as Uint8Array<ArrayBuffer>) : head, 200, HTML_TYPE)
  })

  app.get(`${LANDING}/:name`, async (c) => {
    const name = c.req.param('name')
    const snapshot = await deps.snapshots.get()
    const crumbs: LayoutOptions['crumbs'] = [['Settings'], ['Integrations'], ['Plugins', LANDING], [name]]
    const detail = await readPluginDetail(snapshot, deps.store, deps.runtime, name)
    if (!detail) {
      return page(c, { title: 'Plugin not found', active: 'plugins', crumbs, snapshot, body: html`<h1>No plugin named “${name}”</h1>
<p>The current store generation (${snapshot.report.generation ?? 'none'}) has no such plugin. <a href="${LANDING}">See every plugin</a>.</p>` }, 404)
    }
    return page(c, { title: `${name} · Manage Plugin`, active: 'plugins', crumbs: [['Settings'], ['Integrations'], ['Plugins', LANDING], [name, pluginPath(name)]], snapshot, body: managePluginPage(detail, Date.now()) })
  })

  app.get('/settings/processes', async (c) => {
    const snapshot = await deps.snapshots.get()
    return page(c, { title: 'Processes', active: 'processes', crumbs: [['Settings'], ['Processes']], snapshot, body: processesPage(snapshot, await listProcesses(deps.runtime), Date.now()) })
  })
}
