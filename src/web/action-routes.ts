import type { Context, Hono } from 'hono'
import { warningId } from '../report/warning-id.ts'
import type { PluginAction } from '../runtime/plugin-requests.ts'
import { readForm, smallForm } from './form-guard.ts'
import { LANDING, safeNext } from './login-routes.ts'
import { pluginPath } from './pages/page-parts.ts'
import { refusal, wantsJson } from './page-response.ts'
import { saveSettingsForm } from './settings-routes.ts'
import type { WebDeps } from './web-deps.ts'

const MAX_NOTE = 500

/** The path (and query) of the page a form was sent from, when it is one of ours; the list's view, with #warnings. */
function sameSiteReferer(c: Context): string | null {
  const referer = c.req.header('referer')
  if (!referer) return null
  try {
    const from = new URL(referer)
    if (from.host !== new URL(c.req.url).host) return null
    return `${from.pathname}${from.search}${from.pathname === LANDING ? '#warnings' : ''}`
  } catch {
    return null
  }
}

/**
 * The operator's actions on a plugin (DESIGN section 8): disable, enable and
 * roll back are queued in the runtime tables for the scheduler (the web role
 * never writes the plugin store) and the browser lands on Manage Plugin, which
 * shows the request pending, then done or failed; acknowledging a warning and
 * saving settings are written at once. Every action goes into the audit list.
 */
export function addActionRoutes(app: Hono, deps: WebDeps): void {
  const known = async (name: string) => {
    const s = await deps.snapshots.get()
    return s.report.plugins.some((p) => p.name === name) || name in s.disabled
  }
  const notFound = (c: Context, name: string) =>
    refusal(c, deps, {
      status: 404,
      code: 'PLUGIN_NOT_FOUND',
      title: 'No such plugin',
      message: `No plugin named "${name}" in the current generation, and none disabled by that name.`,
      back: [LANDING, 'All plugins'],
    })

  const queue = (action: PluginAction) => async (c: Context) => {
    const name = c.req.param('name')!
    const form = await readForm(c, deps)
    if (form instanceof Response) return form
    if (!(await known(name))) return notFound(c, name)
    let version: string | null = null
    if (action === 'rollback') {
      const good = [...new Set((await deps.store.history(name)).filter((h) => h.status !== 'error').map((h) => h.version))]
      version = form.version?.trim() || null
      if (!version || !good.includes(version)) {
        return refusal(c, deps, {
          status: 400,
          code: 'BAD_FORM',
          title: 'Roll back refused',
          message: `version must be one of the stored versions of ${name} that passed validation: ${good.join(', ') || 'none'}; found "${version ?? ''}"`,
          back: [`${pluginPath(name)}#history`, 'Version history'],
        })
      }
    }
    const request = await deps.runtime.console.requests.request({ plugin: name, action, version, by: deps.auth.actorFor(c) })
    if (wantsJson(c)) return c.json({ request }, 202)
    return c.redirect(`${pluginPath(name)}#actions`, 303)
  }
  app.post(`${LANDING}/:name/disable`, smallForm, queue('disable'))
  app.post(`${LANDING}/:name/enable`, smallForm, queue('enable'))
  app.post(`${LANDING}/:name/rollback`, smallForm, queue('rollback'))
  app.post(`${LANDING}/:name/settings`, smallForm, (c) => saveSettingsForm(c, deps))

  app.post(`${LANDING}/:name/warnings/:id/ack`, smallForm, async (c) => {
    const { name, id } = c.req.param()
    const form = await readForm(c, deps)
    if (form instanceof Response) return form
    const back = safeNext(form.next ?? sameSiteReferer(c) ?? pluginPath(name))
    const plugin = name === '-' ? null : name
    const warning = (await deps.snapshots.get()).report.warnings.find((w) => w.plugin === plugin && warningId(w) === id)
    if (!warning)
      return refusal(c, deps, {
        status: 404,
        code: 'WARNING_NOT_FOUND',
        title: 'No such warning',
        message: `No current warning of ${plugin ?? 'no plugin'} has the id ${id}: it may have gone with a new generation.`,
        back: [back, 'Back'],
      })
    const note = (form.note ?? '').trim()
    if (!note || note.length > MAX_NOTE)
      return refusal(c, deps, {
        status: 400,
        code: 'BAD_FORM',
        title: 'Not acknowledged',
        message: `note must say why the warning can wait (1 to ${MAX_NOTE} characters); found ${note.length} characters`,
        back: [back, 'Back'],
      })
    const ack = await deps.runtime.console.acks.ack({ warningId: id, plugin, code: warning.code, note, by: deps.auth.actorFor(c) })
    if (wantsJson(c)) return c.json({ ack })
    return c.redirect(back, 303)
  })
}
