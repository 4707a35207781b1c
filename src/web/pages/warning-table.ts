import { html } from 'hono/html'
import type { StoredWarning } from '../../report/stored-warning.ts'
import { warningId } from '../../report/warning-id.ts'
import type { WarningAck } from '../../runtime/warning-acks.ts'
import { isAcknowledged } from '../warning-query.ts'
import { badge, landingPluginPath, pluginName, pluginPath, table, utc, when, whereText, type Html } from './page-parts.ts'

/** Where a warning's acknowledgement is posted; "-" stands for a warning of no plugin (a scan notice). */
export const ackPath = (w: StoredWarning, path = pluginPath) => `${path(w.plugin ?? '-')}/warnings/${warningId(w)}/ack`

/** "version 1.1.0 (rejected update)": which version of the plugin a warning belongs to. */
export function versionNote(w: StoredWarning, running: Map<string, RunningVersion>): string {
  if (!w.plugin || !w.version) return ''
  const p = running.get(w.plugin)
  if (!p) return `version ${w.version}`
  if (p.rejected === w.version && p.version !== w.version) return `version ${w.version} (rejected update; ${p.version} runs)`
  if (p.version !== w.version) return `version ${w.version}`
  return `version ${w.version} (${p.loaded ? 'running' : 'not loaded'})`
}

/** What the generation holds of a plugin: its version, a rejected update's, and whether it loads. */
export interface RunningVersion {
  version: string
  rejected: string | null
  loaded: boolean
}

/** The acknowledge form: a note is required, so the next person knows why it can wait. `action`: where it posts. */
export function ackForm(w: StoredWarning, csrf: string | null, next: string | null, action = ackPath(w)): Html | string {
  if (!csrf) return ''
  const id = warningId(w)
  return html`<details class="ack"><summary>Acknowledge</summary>
<form method="post" action="${action}"><input type="hidden" name="csrf" value="${csrf}">${next ? html`<input type="hidden" name="next" value="${next}">` : ''}
<label for="note-${id}">Note (why it can wait)</label>
<textarea id="note-${id}" name="note" required maxlength="500" rows="2"></textarea>
<button type="submit">Acknowledge</button></form></details>`
}

export const ackLine = (ack: WarningAck) => html`<p class="acked">Acknowledged by ${ack.by}, ${utc(ack.at)}: ${ack.note}</p>`

export interface WarningTableOptions {
  now: number
  acks: Map<string, WarningAck>
  csrf: string | null
  /** Where the acknowledge form returns to; null: the page it was sent from (Referer), which keeps the list's view. */
  next: string | null
  running: Map<string, RunningVersion>
  empty: string
}

/** The warnings table of the landing page (its links relative to it): one row per merged warning, with its acknowledgement or the form to give one. */
export function warningTable(warnings: StoredWarning[], o: WarningTableOptions): Html {
  const head = html`<tr><th>Severity</th><th>Plugin</th><th>Code</th><th>Message</th><th>Where</th><th>Last seen</th><th class="hide-narrow">Count</th><th>Triage</th></tr>`
  const rows = warnings.map((w) => {
    const ack = isAcknowledged(w, o.acks)
    return html`<tr data-warning="${warningId(w)}">
<td>${badge(w.severity)}</td>
<td>${w.plugin ? html`<a href="${landingPluginPath(w.plugin)}#warnings">${pluginName(w.plugin)}</a>` : '-'}${w.version ? html` <span class="muted">${versionNote(w, o.running) || w.version}</span>` : ''}</td>
<td><code>${w.code}</code></td>
<td class="msg">${w.message}</td>
<td>${whereText(w.where)}</td>
<td>${when(w.lastSeen, o.now)}</td>
<td class="hide-narrow">${w.count}</td>
<td>${ack ? ackLine(ack) : ackForm(w, o.csrf, o.next, ackPath(w, landingPluginPath))}</td>
</tr>`
  })
  return table(head, rows, o.empty, { caption: 'Warnings' })
}
