import { html } from 'hono/html'
import { warningCodes } from '../../errors/codes.ts'
import { SEVERITIES, SORTS, STATES, type WarningQuery } from '../warning-query.ts'
import type { Html } from './page-parts.ts'

const SORT_LABELS: Record<string, string> = {
  lastSeen: 'Last seen (newest first)',
  count: 'Count (most first)',
  plugin: 'Plugin (A-Z)',
  severity: 'Severity (errors first)',
}
const STATE_LABELS: Record<string, string> = { open: 'Open', acknowledged: 'Acknowledged', all: 'All' }

/** An option whose value is its text is written without a value attribute: 200 plugin names stay small. */
const option = (value: string, text: string, selected: boolean) =>
  value === text
    ? html`<option${selected ? html` selected` : ''}>${text}</option>`
    : html`<option value="${value}"${selected ? html` selected` : ''}>${text}</option>`

/** The triage filter: a GET form, so every view is a link that can be shared and works without JavaScript. */
export function triageForm(q: WarningQuery, plugins: string[]): Html {
  const select = (
    name: string,
    label: string,
    options: Array<[string, string]>,
    value: string | null,
  ) => html`<div class="field"><label for="f-${name}">${label}</label>
<select id="f-${name}" name="${name}">${options.map(([v, text]) => option(v, text, (value ?? '') === v))}</select></div>`
  return html`<form class="filters" method="get" action="/settings/integrations/plugins" role="search" aria-label="Filter warnings">
${select('severity', 'Severity', [['', 'Any'], ...SEVERITIES.map((s): [string, string] => [s, s])], q.severity)}
${select('plugin', 'Plugin', [['', 'Any'], ...[...new Set([...plugins, ...(q.plugin ? [q.plugin] : [])])].sort().map((p): [string, string] => [p, p])], q.plugin)}
${select('code', 'Code', [['', 'Any'], ...Object.keys(warningCodes).map((c): [string, string] => [c, c])], q.code)}
<div class="field grow"><label for="f-q">Search</label><input id="f-q" name="q" type="search" value="${q.q ?? ''}" maxlength="200" placeholder="message, code, file…"></div>
${select(
  'state',
  'State',
  STATES.map((s): [string, string] => [s, STATE_LABELS[s]!]),
  q.state,
)}
${select(
  'sort',
  'Sort by',
  SORTS.map((s): [string, string] => [s, SORT_LABELS[s]!]),
  q.sort,
)}
<div class="field buttons"><button type="submit">Filter</button> <a href="/settings/integrations/plugins#warnings">Clear</a></div>
</form>`
}
