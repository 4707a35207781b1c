import { html } from 'hono/html'
import type { AdminSnapshot } from '../admin-snapshot.ts'
import { badge, pluginPath, statusBadge, table, warningHead, warningRows, when, type Html } from './page-parts.ts'

export const WARNINGS_PER_PAGE = 50
export const PLUGINS_PER_PAGE = 50

/** Page numbers clamped to the pages there are, so any query maps onto a real (and cacheable) page. */
export function landingPages(s: AdminSnapshot, wpage: number, ppage: number) {
  const clamp = (n: number, total: number, per: number) => Math.min(Math.max(1, Number.isFinite(n) ? Math.trunc(n) : 1), Math.max(1, Math.ceil(total / per)))
  return { wpage: clamp(wpage, s.report.warnings.length, WARNINGS_PER_PAGE), ppage: clamp(ppage, s.report.plugins.length, PLUGINS_PER_PAGE) }
}

/** Previous / "x-y of n" / next links for one list of the landing page. */
function pager(o: { param: 'wpage' | 'ppage'; other: string; page: number; per: number; total: number; anchor: string; what: string }): Html | string {
  const pages = Math.ceil(o.total / o.per)
  if (pages <= 1) return ''
  const href = (n: number) => `?${o.param === 'wpage' ? `wpage=${n}&${o.other}` : `${o.other}&ppage=${n}`}#${o.anchor}`
  const last = Math.min(o.page * o.per, o.total)
  return html`<p class="pager">${o.page > 1 ? html`<a href="${href(o.page - 1)}" rel="prev">Previous</a>` : ''}
<span>${o.what} ${(o.page - 1) * o.per + 1}-${last} of ${o.total}</span>
${o.page < pages ? html`<a href="${href(o.page + 1)}" rel="next">Next</a>` : ''}</p>`
}

const PLUGINS_CRUMBS: Array<[string, string?]> = [['Settings'], ['Integrations'], ['Plugins']]
export { PLUGINS_CRUMBS }

/** The Plugins landing page: counts, every warning surfaced while plugins loaded, and the plugin table. */
export function pluginsPage(s: AdminSnapshot, options: { wpage: number; ppage: number; now: number }): Html {
  const { report } = s
  const { wpage, ppage } = options
  const loaded = report.plugins.filter((p) => p.status !== 'error').length
  const withWarnings = report.plugins.filter((p) => p.status === 'warning').length
  const failed = report.plugins.filter((p) => p.status === 'error').length
  const shown = report.warnings.slice((wpage - 1) * WARNINGS_PER_PAGE, wpage * WARNINGS_PER_PAGE)
  const listed = report.plugins.slice((ppage - 1) * PLUGINS_PER_PAGE, ppage * PLUGINS_PER_PAGE)
  const errors = report.warnings.filter((w) => w.severity === 'error').length
  return html`<h1>Plugins</h1>
<section class="cards" aria-label="Summary">
<div class="card"><span class="n" id="count-loaded">${loaded}</span><span class="label">plugins loaded</span></div>
<div class="card${withWarnings ? ' warn' : ''}"><span class="n" id="count-warnings">${withWarnings}</span><span class="label">with warnings</span></div>
<div class="card${failed ? ' bad' : ''}"><span class="n" id="count-failed">${failed}</span><span class="label">failed</span></div>
<div class="card"><span class="n">${report.generation ?? '-'}</span><span class="label">store generation, published ${when(report.generatedAt, options.now)}</span></div>
</section>
${report.generation === null ? html`<div class="banner info">The plugin store has no generation yet: the scheduler publishes one after its first scan of the plugin sources.</div>` : ''}
<section aria-labelledby="warnings-title" id="warnings">
<h2 id="warnings-title">Warnings surfaced during plugin loading <span class="subtitle">(${report.warnings.length}${errors ? `, ${errors} error${errors === 1 ? '' : 's'}` : ''})</span></h2>
${table(warningHead, warningRows(shown, options.now), 'No warnings: every plugin was published and loaded cleanly.', { stack: true })}
${pager({ param: 'wpage', other: `ppage=${ppage}`, page: wpage, per: WARNINGS_PER_PAGE, total: report.warnings.length, anchor: 'warnings', what: 'warnings' })}
</section>
<section aria-labelledby="plugins-title" id="plugins">
<h2 id="plugins-title">Installed plugins <span class="subtitle">(${report.plugins.length})</span></h2>
${table(html`<tr><th>Plugin</th><th>Version</th><th>Status</th><th class="hide-narrow">Source</th><th>Warnings</th><th><span class="hide-narrow">Action</span></th></tr>`,
    listed.map((p) => {
      const nickname = typeof p.entry.manifest.metadata === 'object' && p.entry.manifest.metadata ? (p.entry.manifest.metadata as Record<string, unknown>).nickname : null
      const counts = { error: 0, warning: 0, info: 0 }
      for (const w of p.warnings) counts[w.severity]++
      return html`<tr data-plugin="${p.name}">
<td><a href="${pluginPath(p.name)}"><strong>${p.name}</strong></a>${typeof nickname === 'string' && nickname ? html`<br><span class="muted">${nickname}</span>` : ''}</td>
<td>${p.version}</td>
<td>${statusBadge(p.status)}</td>
<td class="hide-narrow">${p.source}</td>
<td>${p.warnings.length ? html`<a href="${pluginPath(p.name)}#warnings">${counts.error ? badge('error', `${counts.error} error${counts.error === 1 ? '' : 's'}`) : ''} ${counts.warning ? badge('warning', `${counts.warning} warning${counts.warning === 1 ? '' : 's'}`) : ''} ${counts.info ? badge('info', `${counts.info} info`) : ''}</a>` : html`<span class="muted">none</span>`}</td>
<td>${actionMenu(p.name)}</td>
</tr>`
    }), 'No plugins yet. Put a plugin folder (with a plugin.json) in the plugins directory, or configure a source in app.toml.', { stack: true })}
${pager({ param: 'ppage', other: `wpage=${wpage}`, page: ppage, per: PLUGINS_PER_PAGE, total: report.plugins.length, anchor: 'plugins', what: 'plugins' })}
</section>`
}

/** A menu that works without JavaScript and by keyboard: <details> opens with Enter or Space, links are tabbable. */
function actionMenu(name: string): Html {
  return html`<details class="menu"><summary>Action</summary><ul>
<li><a href="${pluginPath(name)}">Manage Plugin</a></li>
<li><a href="${pluginPath(name)}#warnings">Warnings</a></li>
<li><a href="/api/v1/plugins/${encodeURIComponent(name)}">As JSON</a></li>
</ul></details>`
}
