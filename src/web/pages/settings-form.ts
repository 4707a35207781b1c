import { html } from 'hono/html'
import type { PluginSettingsView } from '../../settings/plugin-settings-view.ts'
import type { SettingState } from '../../settings/settings-state.ts'
import { badge, pluginPath, type Html } from './page-parts.ts'

/** A refused settings form, shown again: what was typed (by key) and what was wrong. */
export interface SettingsFormState {
  values: Record<string, string>
  problems: Array<{ key: string; expected: string; found: string; fix: string }>
}

/** How a stored value shows in its text field: lists comma-separated unless an item holds a comma. */
export function fieldText(s: Pick<SettingState, 'value' | 'source'>): string {
  if (s.source !== 'set' || s.value === null || s.value === undefined) return ''
  if (Array.isArray(s.value))
    return s.value.some((v) => typeof v !== 'string' || v.includes(',')) ? JSON.stringify(s.value) : s.value.join(', ')
  return String(s.value)
}

const FIELD = (name: string) => `s.${name}`

function field(s: SettingState, value: string, problem: SettingsFormState['problems'][number] | undefined): Html {
  const id = `setting-${s.name}`
  const hint = s.secret
    ? 'A reference only: env:NAME or file:/absolute/path (the secret itself is never stored or shown).'
    : s.type === 'list'
      ? 'Comma-separated, or a JSON array.'
      : s.type === 'number'
        ? 'A number.'
        : ''
  const described = [hint || s.description ? `${id}-hint` : '', problem ? `${id}-error` : ''].filter(Boolean).join(' ')
  const aria = html`${described ? html` aria-describedby="${described}"` : ''}${problem ? html` aria-invalid="true"` : ''}`
  const options = (
    choices: string[],
  ) => html`<select id="${id}" name="${FIELD(s.name)}"${aria}><option value=""${value === '' ? html` selected` : ''}>${s.default !== null ? `(default: ${String(s.default)})` : '(not set)'}</option>
${choices.map((c) => html`<option value="${c}"${value === c ? html` selected` : ''}>${c}</option>`)}</select>`
  const input =
    s.type === 'boolean'
      ? options(['true', 'false'])
      : s.type === 'choice'
        ? options(s.choices ?? [])
        : html`<input id="${id}" name="${FIELD(s.name)}" type="text" value="${value}"${s.secret ? html` placeholder="env:NAME or file:/path" autocomplete="off" spellcheck="false"` : ''}${s.type === 'number' ? html` inputmode="decimal"` : ''}${aria}>`
  return html`<div class="setting${problem ? ' invalid' : ''}">
<label for="${id}">${s.name}${s.required ? html` <span class="req">(required)</span>` : ''}${s.secret ? html` ${badge('muted', 'secret reference')}` : ''}</label>
${input}
${hint || s.description ? html`<p class="muted" id="${id}-hint">${[s.description, hint].filter(Boolean).join(' ')}</p>` : ''}
${problem ? html`<p class="field-error" id="${id}-error">Expected ${problem.expected}; found ${problem.found}. ${problem.fix}</p>` : ''}
</div>`
}

/** The plugin's declared settings as a form, saved through the settings module (validated as `app plugins settings set` is). */
export function settingsSection(plugin: string, view: PluginSettingsView, csrf: string | null, form?: SettingsFormState): Html {
  const byKey = new Map(form?.problems.map((p) => [p.key, p]))
  const others = form?.problems.filter((p) => !view.settings.some((s) => s.name === p.key)) ?? []
  return html`<section aria-labelledby="settings-title" id="settings">
<h2 id="settings-title">Settings</h2>
${
  !view.settings.length
    ? html`<p class="empty">${plugin} ${view.version} declares no settings.</p>`
    : html`
${form?.problems.length ? html`<div class="banner error" role="alert" id="settings-errors"><strong>Nothing was saved:</strong> ${form.problems.length} problem${form.problems.length === 1 ? '' : 's'} below.${others.map((p) => html` ${p.key}: ${p.found}. ${p.fix}`)}</div>` : ''}
${view.fix && !form ? html`<div class="banner restart" role="status">SETTINGS_INVALID: ${[...view.missing.map((k) => `${k} is required`), ...view.invalid.map((p) => `${p.key} holds ${p.found}`)].join(', ')}.</div>` : ''}
${
  csrf
    ? html`<form method="post" action="${pluginPath(plugin)}/settings" class="settings" novalidate>
<input type="hidden" name="csrf" value="${csrf}">
${view.settings.map((s) => field(s, form?.values[s.name] ?? fieldText(s), byKey.get(s.name)))}
<p class="muted">Empty clears a value (the default applies). Running roles read the new values at once.</p>
<button type="submit">Save settings</button>
</form>`
    : html`<p class="muted">Sign in with the form to edit; scripts use <code>app plugins settings ${plugin} set key=value</code>.</p>`
}`
}
</section>`
}
