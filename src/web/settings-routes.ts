import type { Context } from 'hono'
import { parseSettingPairs } from '../settings/parse-setting-pairs.ts'
import { settingsViewOf } from '../settings/plugin-settings-view.ts'
import { declaredSettings } from '../settings/setting-declaration.ts'
import { readForm } from './form-guard.ts'
import { LANDING } from './login-routes.ts'
import { managePluginResponse } from './manage-plugin-response.ts'
import { pluginPath } from './pages/page-parts.ts'
import { fieldText } from './pages/settings-form.ts'
import { refusal, wantsJson } from './page-response.ts'
import type { WebDeps } from './web-deps.ts'

/**
 * POST /settings/integrations/plugins/:name/settings: the Settings form of
 * Manage Plugin, checked and written by the settings module exactly as
 * `app plugins settings <name> set` does (all or nothing; secrets only as
 * env: or file: references). Fields are `s.<key>`; an emptied field unsets its
 * key. A refused form comes back with what was typed and each problem.
 */
export async function saveSettingsForm(c: Context, deps: WebDeps): Promise<Response> {
  const name = c.req.param('name')!
  const form = await readForm(c, deps)
  if (form instanceof Response) return form
  const entry = (await deps.snapshots.get()).report.plugins.find((p) => p.name === name)?.entry
  if (!entry)
    return refusal(c, deps, {
      status: 404,
      code: 'PLUGIN_NOT_FOUND',
      title: 'No such plugin',
      message: `No plugin named "${name}" in the current generation; settings follow the declarations of the published version.`,
      back: [LANDING, 'All plugins'],
    })
  const declarations = declaredSettings(entry.manifest)
  const current = new Map(settingsViewOf(entry, await deps.runtime.settings.read(name)).settings.map((s) => [s.name, s]))
  const values: Record<string, string> = {}
  const pairs: string[] = []
  for (const [field, raw] of Object.entries(form)) {
    if (!field.startsWith('s.')) continue
    const key = field.slice(2)
    const text = raw.trim()
    values[key] = raw
    const now = current.get(key)
    if (now && text === fieldText(now)) continue // unchanged
    if (text === '' && now?.source !== 'set') continue // still unset
    pairs.push(`${key}=${text}`)
  }
  const { changes, problems } = parseSettingPairs(declarations, pairs, `${name} ${entry.version}`)
  if (problems.length) {
    if (wantsJson(c))
      return c.json({ error: { code: 'BAD_FORM', message: `${problems.length} problem(s); nothing was saved`, problems } }, 400)
    return managePluginResponse(c, deps, name, { values, problems }, 400)
  }
  if (changes.length) {
    await deps.runtime.settings.write(name, changes)
    await deps.runtime.console.audit.record({
      actor: deps.auth.actorFor(c),
      action: 'settings',
      plugin: name,
      detail: changes.map((x) => (x.value === null ? `unset ${x.key}` : `set ${x.key}`)).join(', '),
      outcome: 'done',
    })
  }
  if (wantsJson(c))
    return c.json({
      changed: changes.map((x) => ({ key: x.key, action: x.value === null ? 'unset' : 'set' })),
      settings: settingsViewOf(entry, await deps.runtime.settings.read(name)),
    })
  return c.redirect(`${pluginPath(name)}#settings`, 303)
}
