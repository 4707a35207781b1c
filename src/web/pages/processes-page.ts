import { html } from 'hono/html'
import type { ProcessInfo } from '../../runtime/process-registry.ts'
import { needsRestart, type AdminSnapshot } from '../admin-snapshot.ts'
import { badge, table, when, type Html } from './page-parts.ts'

/** Every registered process (read fresh: heartbeats are shown): role, where, which generation it loaded, and whether it is alive. */
export function processesPage(s: AdminSnapshot, processes: ProcessInfo[], now: number): Html {
  const current = s.report.generation
  return html`<h1>Processes</h1>
<p class="muted">Processes record the plugin store generation they loaded at start-up. The store is at generation ${current ?? 'none'}.
A worker or web process on an older generation runs older plugins until it is restarted.</p>
${table(html`<tr><th>Role</th><th>Host</th><th>PID</th><th>Generation</th><th>State</th><th class="hide-narrow">Started</th><th class="hide-narrow">Heartbeat</th><th class="hide-narrow">Version</th></tr>`,
    processes.map((p) => html`<tr data-process="${p.id}"><td>${p.role}</td><td>${p.host}</td><td>${p.pid}</td>
<td>${p.generation ?? '-'}${needsRestart(p, current) ? html` ${badge('warning', 'restart needed')}` : ''}</td>
<td>${p.live ? badge('ok', 'live') : badge('error', 'no heartbeat')}</td>
<td class="hide-narrow">${when(p.startedAt, now)}</td><td class="hide-narrow">${when(p.heartbeatAt, now)}</td><td class="hide-narrow">${p.version}</td></tr>`),
    'No processes registered.')}
<p class="muted">A process without a heartbeat for 15 s has crashed or been killed; it stays listed until it is marked stopped.</p>`
}
