import { html } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'
import type { PluginSummary } from '../../report/plugin-report.ts'

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>

export const pluginPath = (name: string) => `/settings/integrations/plugins/${encodeURIComponent(name)}`

/**
 * pluginPath as the landing page links to it: relative to /settings/integrations/plugins (served at no
 * other path; a trailing slash is a 404), so 23 bytes shorter. Its ~350 such links were a tenth of the
 * page, and a client's time per page follows the page's size (bench/web.bench.ts is bound by it).
 */
export const landingPluginPath = (name: string) => `plugins/${encodeURIComponent(name)}`

export const badge = (kind: string, text: string = kind) => html`<span class="badge ${kind}">${text}</span>`

const STATUS_TEXT: Record<string, string> = { ok: 'loaded', warning: 'loaded with warnings', error: 'failed', disabled: 'disabled' }
export const statusBadge = (status: string) => badge(status === 'disabled' ? 'muted' : status, STATUS_TEXT[status] ?? status)

/**
 * A plugin's status in words that match what runs: a rejected update says the old version still runs,
 * never that the plugin is not loaded.
 */
export function pluginStatusBadge(p: PluginSummary): Html {
  if (p.status !== 'error' && p.entry.rejected) return badge('warning', `update rejected, ${p.version} running`)
  return statusBadge(p.status)
}

/** A plugin name that wraps only after "-", "." or "_", never inside a word. */
export const pluginName = (name: string) =>
  html`<span class="name">${name.split(/(?<=[-._])/).map((part, i) => (i ? html`<wbr>${part}` : part))}</span>`

/** An absolute time in UTC, to the second: "2026-12-01 10:32:05 UTC". */
export function utc(iso: string | null | undefined): Html | string {
  if (!iso) return '-'
  const ms = Date.parse(iso)
  if (Number.isNaN(ms)) return iso
  return html`<time datetime="${iso}" class="abs">${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)} UTC</time>`
}

/** A one-button POST form (CSRF token included); nothing without a session (Bearer callers post without forms). */
export function postButton(o: {
  action: string
  label: string
  csrf: string | null
  fields?: Record<string, string>
  className?: string
}): Html | string {
  if (!o.csrf) return ''
  return html`<form method="post" action="${o.action}" class="inline"><input type="hidden" name="csrf" value="${o.csrf}">${Object.entries(o.fields ?? {}).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}<button type="submit"${o.className ? html` class="${o.className}"` : ''}>${o.label}</button></form>`
}

/** "3 min ago", with the exact time for machines (and the stylesheet shows it on hover). */
export function when(iso: string | null | undefined, now = Date.now()): Html | string {
  if (!iso) return '-'
  const ms = now - Date.parse(iso)
  if (Number.isNaN(ms)) return iso
  const s = Math.round(ms / 1000)
  const text =
    s < 0
      ? iso.replace('T', ' ').slice(0, 19)
      : s < 60
        ? `${s} s ago`
        : s < 3600
          ? `${Math.floor(s / 60)} min ago`
          : s < 86_400
            ? `${Math.floor(s / 3600)} h ago`
            : `${iso.slice(0, 10)}`
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

/** A table, or a line saying it is empty. On a phone each row becomes a block instead of a wide row (`stack: false` keeps the table). */
export const table = (head: Html, rows: Html[], empty: string, options: { stack?: boolean; caption?: string } = {}) =>
  rows.length
    ? html`<div class="table-wrap"><table${options.stack === false ? '' : html` class="stack"`}>${options.caption ? html`<caption class="sr-only">${options.caption}</caption>` : ''}<thead>${head}</thead><tbody>${rows}</tbody></table></div>`
    : html`<p class="empty">${empty}</p>`
