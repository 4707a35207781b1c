import { html } from 'hono/html'
import type { PluginRequest } from '../../runtime/plugin-requests.ts'
import { badge, utc, when, type Html } from './page-parts.ts'

const TONE = { pending: 'info', done: 'ok', failed: 'error' } as const

/** A plugin's latest disable, enable and rollback requests with their state: pending until the scheduler applies them. */
export function requestList(requests: PluginRequest[], now: number): Html | string {
  if (!requests.length)
    return html`<p class="muted">Disable, enable and roll back are applied by the scheduler (the only writer of the plugin store) within seconds, as a new generation.</p>`
  return html`<ul class="requests" aria-label="Requests">${requests.map(
    (r) => html`<li data-request="${r.id}" data-status="${r.status}">${badge(TONE[r.status], r.status)}
<strong>${r.action}${r.version ? ` to ${r.version}` : ''}</strong> by ${r.requestedBy}, ${utc(r.requestedAt)}${
      r.status === 'pending'
        ? html` <span class="muted">(waiting for the scheduler, requested ${when(r.requestedAt, now)})</span>`
        : html`: ${r.message}${r.generation !== null ? html` <span class="muted">(generation ${r.generation})</span>` : ''}`
    }</li>`,
  )}</ul>`
}
