import { html } from 'hono/html'
import type { PluginSummary } from '../../report/plugin-report.ts'
import type { StoredWarning } from '../../report/stored-warning.ts'
import type { AdminSnapshot } from '../admin-snapshot.ts'
import { isAcknowledged, queryParams, type WarningQuery } from '../warning-query.ts'
import { actionMenu } from './action-menu.ts'
import { badge, landingPluginPath, pluginName, pluginStatusBadge, statusBadge, table, when, type Html } from './page-parts.ts'
import { triageForm } from './triage-form.ts'
import { warningsChart } from './warnings-chart.ts'
import { warningTable } from './warning-table.ts'
import { compareText } from '../../report/compare-text.ts'

export const WARNINGS_PER_PAGE = 50
export const PLUGINS_PER_PAGE = 50
export const LANDING_PATH = '/settings/integrations/plugins'

/** Page numbers clamped to the pages there are, so any query maps onto a real (and cacheable) page. */
export function landingPages(warnings: number, plugins: number, wpage: number, ppage: number) {
  const clamp = (n: number, total: number, per: number) =>
    Math.min(Math.max(1, Number.isFinite(n) ? Math.trunc(n) : 1), Math.max(1, Math.ceil(total / per)))
  return { wpage: clamp(wpage, warnings, WARNINGS_PER_PAGE), ppage: clamp(ppage, plugins, PLUGINS_PER_PAGE) }
}

/** Previous / "x-y of n" / next links for one list of the landing page, keeping the triage filter. */
function pager(o: {
  param: 'wpage' | 'ppage'
  other: number
  page: number
  per: number
  total: number
  anchor: string
  what: string
  filter: string
}): Html | string {
  const pages = Math.ceil(o.total / o.per)
  if (pages <= 1) return ''
  const href = (n: number) =>
    `?${o.param === 'wpage' ? `wpage=${n}&ppage=${o.other}` : `wpage=${o.other}&ppage=${n}`}${o.filter ? `&${o.filter}` : ''}#${o.anchor}`
  const last = Math.min(o.page * o.per, o.total)
  return html`<p class="pager">${o.page > 1 ? html`<a href="${href(o.page - 1)}" rel="prev">Previous</a>` : ''}
<span>${o.what} ${(o.page - 1) * o.per + 1}-${last} of ${o.total}</span>
${o.page < pages ? html`<a href="${href(o.page + 1)}" rel="next">Next</a>` : ''}</p>`
}

export const PLUGINS_CRUMBS: Array<[string, string?]> = [['Settings'], ['Integrations'], ['Plugins']]

export interface LandingOptions {
  wpage: number
  ppage: number
  now: number
  query: WarningQuery
  /** The warnings the query selects, in its order. */
  selected: StoredWarning[]
  csrf: string | null
}

/** A counter that leads to the triage view it counts. */
const counter = (o: { id?: string; n: number | string; label: string; href: string; tone?: string }) =>
  html`<a class="card${o.tone ? ` ${o.tone}` : ''}" href="${o.href}"><span class="n"${o.id ? html` id="${o.id}"` : ''}>${o.n}</span><span class="label">${o.label}</span></a>`

/** The Plugins landing page: counters, the warnings chart, the triage form and list, and the plugin table. */
export function pluginsPage(s: AdminSnapshot, o: LandingOptions): Html {
  const { report } = s
  const loaded = report.plugins.filter((p) => p.status !== 'error').length
  const withWarnings = report.plugins.filter((p) => p.status === 'warning').length
  const failed = report.plugins.filter((p) => p.status === 'error').length
  const open = { error: 0, warning: 0, info: 0 }
  let acknowledged = 0
  for (const w of report.warnings) {
    if (isAcknowledged(w, s.acks)) acknowledged++
    else open[w.severity]++
  }
  const filter = queryParams(o.query).toString()
  const view = (params: Partial<WarningQuery>) =>
    `?${queryParams({ ...o.query, severity: null, plugin: null, code: null, q: null, state: 'open', sort: 'lastSeen' }, params)}#warnings`
  const shown = o.selected.slice((o.wpage - 1) * WARNINGS_PER_PAGE, o.wpage * WARNINGS_PER_PAGE)
  const rows = [...report.plugins.map((p) => ({ name: p.name, p })), ...Object.keys(s.disabled).map((name) => ({ name, p: null }))].sort(
    (a, b) => compareText(a.name, b.name),
  )
  const listed = rows.slice((o.ppage - 1) * PLUGINS_PER_PAGE, o.ppage * PLUGINS_PER_PAGE)
  const running = new Map(
    report.plugins.map((p) => [p.name, { version: p.version, rejected: p.entry.rejected?.version ?? null, loaded: p.status !== 'error' }]),
  )
  return html`<h1>Plugins</h1>
<section class="cards" aria-label="Summary">
${counter({ id: 'count-loaded', n: loaded, label: 'plugins loaded', href: '#plugins' })}
${counter({ id: 'count-warnings', n: withWarnings, label: 'with warnings', href: view({ severity: 'warning' }), tone: withWarnings ? 'warn' : '' })}
${counter({ id: 'count-failed', n: failed, label: 'failed', href: view({ severity: 'error' }), tone: failed ? 'bad' : '' })}
<div class="card"><span class="n">${report.generation ?? '-'}</span><span class="label">store generation, published ${when(report.generatedAt, o.now)}</span></div>
</section>
<section class="cards triage" aria-label="Open warnings">
${counter({ id: 'open-error', n: open.error, label: `open error${open.error === 1 ? '' : 's'}`, href: view({ severity: 'error' }), tone: open.error ? 'bad' : '' })}
${counter({ id: 'open-warning', n: open.warning, label: `open warning${open.warning === 1 ? '' : 's'}`, href: view({ severity: 'warning' }), tone: open.warning ? 'warn' : '' })}
${counter({ id: 'open-info', n: open.info, label: 'open info', href: view({ severity: 'info' }) })}
${counter({ id: 'count-acknowledged', n: acknowledged, label: 'acknowledged', href: view({ state: 'acknowledged' }) })}
</section>
${report.generation === null ? html`<div class="banner info">The plugin store has no generation yet: the scheduler publishes one after its first scan of the plugin sources.</div>` : ''}
${warningsChart(report.warnings, o.now)}
<section aria-labelledby="warnings-title" id="warnings">
<h2 id="warnings-title">Warnings surfaced during plugin loading <span class="subtitle">(${o.selected.length}${filter ? ` of ${report.warnings.length}, filtered` : ''})</span></h2>
${triageForm(
  o.query,
  report.plugins.map((p) => p.name),
)}
${warningTable(shown, { now: o.now, acks: s.acks, csrf: o.csrf, next: null, running, empty: filter ? 'No warning matches this view.' : 'No open warnings: every plugin was published and loaded cleanly, or each warning was acknowledged.' })}
${pager({ param: 'wpage', other: o.ppage, page: o.wpage, per: WARNINGS_PER_PAGE, total: o.selected.length, anchor: 'warnings', what: 'warnings', filter })}
</section>
<section aria-labelledby="plugins-title" id="plugins">
<h2 id="plugins-title">Installed plugins <span class="subtitle">(${report.plugins.length}${Object.keys(s.disabled).length ? `, ${Object.keys(s.disabled).length} disabled` : ''})</span></h2>
${table(
  html`<tr><th>Plugin</th><th>Version</th><th>Status</th><th class="hide-narrow">Source</th><th>Warnings</th><th>Action</th></tr>`,
  listed.map(({ name, p }) => (p ? pluginRow(s, p, o.csrf) : disabledRow(s, name, o.csrf))),
  'No plugins yet. Put a plugin folder (with a plugin.json) in the plugins directory, or configure a source in app.toml.',
  { caption: 'Installed plugins' },
)}
${pager({ param: 'ppage', other: o.wpage, page: o.ppage, per: PLUGINS_PER_PAGE, total: rows.length, anchor: 'plugins', what: 'plugins', filter })}
</section>`
}

function pendingBadge(s: AdminSnapshot, name: string): Html | string {
  const r = s.pending.get(name)
  return r ? html` ${badge('info', `${r.action} pending`)}` : ''
}

function pluginRow(s: AdminSnapshot, p: PluginSummary, csrf: string | null): Html {
  const nickname =
    typeof p.entry.manifest.metadata === 'object' && p.entry.manifest.metadata
      ? (p.entry.manifest.metadata as Record<string, unknown>).nickname
      : null
  const counts = { error: 0, warning: 0, info: 0 }
  for (const w of p.warnings) counts[w.severity]++
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
  return html`<tr data-plugin="${p.name}">
<td><a href="${landingPluginPath(p.name)}"><strong>${pluginName(p.name)}</strong></a>${typeof nickname === 'string' && nickname ? html`<br><span class="muted">${nickname}</span>` : ''}</td>
<td>${p.version}</td>
<td>${pluginStatusBadge(p)}${pendingBadge(s, p.name)}</td>
<td class="hide-narrow">${p.source}</td>
<td>${p.warnings.length ? html`<a href="${landingPluginPath(p.name)}#warnings">${counts.error ? badge('error', plural(counts.error, 'error')) : ''} ${counts.warning ? badge('warning', plural(counts.warning, 'warning')) : ''} ${counts.info ? badge('info', `${counts.info} info`) : ''}</a>` : html`<span class="muted">none</span>`}</td>
<td>${actionMenu(p.name, { disabled: false, csrf })}</td>
</tr>`
}

function disabledRow(s: AdminSnapshot, name: string, csrf: string | null): Html {
  const d = s.disabled[name]!
  return html`<tr data-plugin="${name}" class="disabled">
<td><a href="${landingPluginPath(name)}"><strong>${pluginName(name)}</strong></a><br><span class="muted">disabled by ${d.by}</span></td>
<td>${d.version ?? '-'}</td>
<td>${statusBadge('disabled')}${pendingBadge(s, name)}</td>
<td class="hide-narrow">-</td>
<td><span class="muted">not in the generation</span></td>
<td>${actionMenu(name, { disabled: true, csrf })}</td>
</tr>`
}
