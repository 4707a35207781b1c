import { html } from 'hono/html'
import type { AuditEntry } from '../../runtime/audit-log.ts'
import { badge, pluginName, pluginPath, table, utc, type Html } from './page-parts.ts'

const TONE = { pending: 'info', done: 'ok', failed: 'error' } as const

/** The audit list: who did what to which plugin, when, and how it ended. */
export function auditTable(entries: AuditEntry[], empty: string): Html {
  return table(
    html`<tr><th>When (UTC)</th><th>Who</th><th>What</th><th>Plugin</th><th>Outcome</th></tr>`,
    entries.map(
      (
        e,
      ) => html`<tr data-audit="${e.id}"><td>${utc(e.at)}</td><td>${e.actor}</td><td><strong>${e.action}</strong>${e.detail ? html` <span class="msg-inline">${e.detail}</span>` : ''}</td>
<td>${e.plugin && e.plugin !== '-' ? html`<a href="${pluginPath(e.plugin)}">${pluginName(e.plugin)}</a>` : '-'}</td>
<td>${badge(TONE[e.outcome], e.outcome)}${e.message ? html` <span class="msg-inline">${e.message}</span>` : ''}</td></tr>`,
    ),
    empty,
    { caption: 'Audit list' },
  )
}

/** /settings/audit: every operator action, newest first, in pages of 100. */
export function auditPage(o: { entries: AuditEntry[]; total: number; offset: number; limit: number; plugin: string | null }): Html {
  const base = o.plugin ? `?plugin=${encodeURIComponent(o.plugin)}&` : '?'
  return html`<h1>Audit${o.plugin ? html` <span class="subtitle">${o.plugin}</span>` : ''}</h1>
<p class="muted">Every disable, enable, rollback, acknowledgement, settings change and event retry or cancel: who (the name given at sign-in), when, what, and the outcome. Also at <a href="/api/v1/audit">/api/v1/audit</a>.</p>
${auditTable(o.entries, 'No operator action yet.')}
<p class="pager">${o.offset > 0 ? html`<a href="${base}offset=${Math.max(0, o.offset - o.limit)}" rel="prev">Newer</a>` : ''}
<span>${o.total ? `${o.offset + 1}-${Math.min(o.offset + o.limit, o.total)} of ${o.total}` : ''}</span>
${o.offset + o.limit < o.total ? html`<a href="${base}offset=${o.offset + o.limit}" rel="next">Older</a>` : ''}</p>`
}
