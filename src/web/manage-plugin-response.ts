import type { Context } from 'hono'
import { html } from 'hono/html'
import { settingsViewOf } from '../settings/plugin-settings-view.ts'
import { LANDING } from './login-routes.ts'
import { managePluginPage } from './pages/manage-plugin-page.ts'
import { pluginPath } from './pages/page-parts.ts'
import type { SettingsFormState } from './pages/settings-form.ts'
import { pageResponse, type PageStatus } from './page-response.ts'
import { readPluginDetail } from './plugin-detail.ts'
import type { WebDeps } from './web-deps.ts'

/** The Manage Plugin page (optionally with a refused settings form), or its 404. */
export async function managePluginResponse(
  c: Context,
  deps: WebDeps,
  name: string,
  settingsForm?: SettingsFormState,
  status: PageStatus = 200,
): Promise<Response> {
  const snapshot = await deps.snapshots.get()
  const detail = await readPluginDetail(snapshot, deps.store, deps.runtime, name)
  if (!detail) {
    return pageResponse(
      c,
      deps,
      {
        title: 'Plugin not found',
        active: 'plugins',
        crumbs: [['Settings'], ['Integrations'], ['Plugins', LANDING], [name]],
        snapshot,
        body: html`<h1>No plugin named “${name}”</h1>
<p>The current store generation (${snapshot.report.generation ?? 'none'}) has no such plugin, and none is disabled by that name. <a href="${LANDING}">See every plugin</a>.</p>`,
      },
      404,
    )
  }
  const body = managePluginPage(detail, {
    now: Date.now(),
    csrf: deps.auth.csrfFor(c),
    acks: snapshot.acks,
    settings: settingsViewOf(detail.plugin.entry, await deps.runtime.settings.read(detail.plugin.entry.name)),
    settingsForm,
  })
  return pageResponse(
    c,
    deps,
    {
      title: `${name} · Manage Plugin`,
      active: 'plugins',
      crumbs: [['Settings'], ['Integrations'], ['Plugins', LANDING], [name, pluginPath(name)]],
      snapshot,
      body,
    },
    status,
  )
}
