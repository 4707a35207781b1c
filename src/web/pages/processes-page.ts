import { html } from 'hono/html'
import { changeText } from '../../report/restart-guidance.ts'
import type { ProcessInfo } from '../../runtime/process-registry.ts'
import type { AdminSnapshot } from '../admin-snapshot.ts'
import { badge, table, when, type Html } from './page-parts.ts'

/** Every registered process (read fresh: heartbeats are shown): role, where, which generation it loaded, whether it is alive, and what a restart would change. */
export function processesPage(s: AdminSnapshot, processes: ProcessInfo[], now: number): Html {
  const current = s.report.generation
  const restart = new Map(s.restart.map((r) => [r.process.id, r]))
  return html`<h1>Processes</h1>
<p class="muted">Processes record the plugin store generation they loaded at start-up. The store is at generation ${current ?? 'none'}.
A worker or web process needs a restart only when a plugin it runs differs from that generation; the list below names those plugins.</p>
${table(
  html`<tr><th>Role</th><th>Host</th><th>PID</th><th>Generation</th><th>Restart would change</th><th>State</th><th class="hide-narrow">Started</th><th class="hide-narrow">Heartbeat</th><th class="hide-narrow">Version</th></tr>`,
  processes.map((p) => {
    const r = restart.get(p.id)
    return html`<tr data-process="${p.id}"><td>${p.role}</td><td>${p.host}</td><td>${p.pid}</td>
<td>${p.generation ?? '-'}${r ? html` ${badge('warning', 'restart needed')}` : ''}</td>
<td>${r ? (r.unknown ? 'everything: the generation it loaded is no longer kept' : html`<ul class="plain">${r.changes.map((c) => html`<li>${changeText(c)}</li>`)}</ul>`) : html`<span class="muted">nothing</span>`}</td>
<td>${p.live ? badge('ok', 'live') : badge('error', 'no heartbeat')}</td>
<td class="hide-narrow">${when(p.startedAt, now)}</td><td class="hide-narrow">${when(p.heartbeatAt, now)}</td><td class="hide-narrow">${p.version}</td></tr>`
  }),
  'No processes registered.',
  { caption: 'Processes' },
)}
<p class="muted">A process without a heartbeat for 15 s has crashed or been killed. It stays listed, so the crash is seen, until the scheduler prunes it with the old finished jobs (jobs.retentionMs, 7 days by default).</p>`
}
