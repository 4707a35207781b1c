import { html } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'
import type { StoredWarning } from '../../report/stored-warning.ts'

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>

export const pluginPath = (name: string) => `/settings/integrations/plugins/${encodeURIComponent(name)}`

export const badge = (kind: string, text: string = kind) => html`<span class="badge ${kind}">${text}</span>`

const STATUS_TEXT: Record<string, string> = { ok: 'loaded', warning: 'loaded with warnings', error: 'failed' }
export const statusBadge = (status: string) => badge(status, STATUS_TEXT[status] ?? status)

/** "3 min ago", with the exact time for machines (and the stylesheet shows it on hover). */
export function when(iso: string | null | undefined, now = Date.now()): Html | string {
  if (!iso) return '-'
  const ms = now - Date.parse(iso)
  if (Number.isNaN(ms)) return iso
  const s = Math.round(ms / 1000)
  const text = s < 0 ? iso.replace('T', ' ').slice(0, 19) : s < 60 ? `${s} s ago` : s < 3600 ? `${Math.floor(s / 60)} min ago`
    : s < 86_400 ? `${Math.floor(s / 3600)} h ago` : `${iso.slice(0, 10)}`
  return html`<time datetime="${iso}">${text}</time>`
}

/** Who saw a warning: 'ingest' is the scheduler's check at publish time. */
export const whereText = (where: string[]) => where.map((w) => (w === 'ingest' ? 'ingest (publish)' : w)).join(', ')

/** Only http(s) and mailto links from plugin metadata become links; anything else is shown as text. */
export function safeLink(url: unknown, text?: string): Html | string {
  if (typeof url !== 'string' || !url) return '-'
  if (!/^(https?:\/\/|mailto:)/i.test(url)) return url
  return html`<a href="${url}" rel="noopener noreferrer">${text ?? url}</a>`
}

/** Generation ids as ranges: 3-7, 9. */
export function ranges(ids: number[]): string {
  const sorted = [...ids].sort((a, b) => a - b)
  const out: string[] = []
  for (let i = 0; i < sorted.length; i++) {
    let j = i
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++
    out.push(j > i ? `${sorted[i]}-${sorted[j]}` : String(sorted[i]))
    i = j
  }
  return out.join(', ') || '-'
}

/** A table, or a line saying it is empty. `stack`: on a phone each row becomes a block instead of a wide row. */
export const table = (head: Html, rows: Html[], empty: string, options: { stack?: boolean } = {}) =>
  rows.length ? html`<div class="table-wrap"><table${options.stack ? html` class="stack"` : ''}><thead>${head}</thead><tbody>${rows}</tbody></table></div>` : html`<p class="empty">${empty}</p>`

/** The warnings table of the landing page: one row per merged warning. */
export function warningRows(warnings: StoredWarning[], now: number): Html[] {
  return warnings.map((w) => html`<tr>
<td>${badge(w.severity)}</td>
<td>${w.plugin ? html`<a href="${pluginPath(w.plugin)}#warnings">${w.plugin}</a>` : '-'}${w.version ? html` <span class="muted">${w.version}</span>` : ''}</td>
<td><code>${w.code}</code></td>
<td class="msg">${w.message}</td>
<td>${whereText(w.where)}</td>
<td>${when(w.lastSeen, now)}</td>
<td class="hide-narrow">${w.count}</td>
</tr>`)
}

export const warningHead = html`<tr><th>Severity</th><th>Plugin</th><th>Code</th><th>Message</th><th>Where</th><th>Last seen</th><th class="hide-narrow">Count</th></tr>`
