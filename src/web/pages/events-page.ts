import { html } from 'hono/html'
import type { JobRecord, JobStatus } from '../../queue/job-types.ts'
import { describeSchedule, type ScheduleListing } from '../../schedules/list-schedules.ts'
import { badge, pluginName, pluginPath, postButton, table, utc, type Html } from './page-parts.ts'

export interface EventsQuery {
  status: JobStatus | null
  type: string | null
  plugin: string | null
}

export interface EventsPageOptions {
  query: EventsQuery
  statuses: readonly JobStatus[]
  counts: Record<JobStatus, number>
  events: JobRecord[]
  types: string[]
  owners: string[]
  schedules: ScheduleListing[]
  csrf: string | null
  /** This view's URL: retry and cancel come back to it. */
  here: string
}

const TONE: Record<JobStatus, string> = {
  pending: 'info',
  running: 'info',
  done: 'ok',
  failed: 'error',
  cancelled: 'muted',
  orphaned: 'warning',
}
const RETRYABLE = new Set<JobStatus>(['failed', 'cancelled', 'done', 'orphaned'])
const CANCELLABLE = new Set<JobStatus>(['pending', 'orphaned', 'running'])

function filterForm(o: EventsPageOptions): Html {
  const select = (
    name: string,
    label: string,
    options: string[],
    value: string | null,
  ) => html`<div class="field"><label for="e-${name}">${label}</label>
<select id="e-${name}" name="${name}"><option value="">Any</option>${options.map((v) => html`<option value="${v}"${value === v ? html` selected` : ''}>${v}</option>`)}</select></div>`
  return html`<form class="filters" method="get" action="/settings/events" aria-label="Filter events">
${select('status', 'Status', [...o.statuses], o.query.status)}${select('type', 'Type', o.types, o.query.type)}${select('plugin', 'Plugin', o.owners, o.query.plugin)}
<div class="field buttons"><button type="submit">Filter</button> <a href="/settings/events">Clear</a></div></form>`
}

function eventRow(e: JobRecord, o: EventsPageOptions): Html {
  return html`<tr data-event="${e.id}" data-status="${e.status}"><td>${e.id}</td><td>${badge(TONE[e.status], e.status)}</td><td><code>${e.eventType}</code>${e.description ? html`<br><span class="muted">${e.description}</span>` : ''}</td>
<td>${e.owner ? (e.owner === 'cli' || e.owner === 'scheduler' ? e.owner : html`<a href="${pluginPath(e.owner)}">${pluginName(e.owner)}</a>`) : '-'}</td>
<td>${utc(e.runAt)}</td><td>${e.attempts}</td>
<td class="msg">${e.lastError ?? ''}${e.status === 'orphaned' ? html`<span class="muted">No loaded plugin registers this type; it runs when the type returns.</span>` : ''}</td>
<td>${RETRYABLE.has(e.status) ? postButton({ action: `/settings/events/${e.id}/retry`, label: 'Retry', csrf: o.csrf, fields: { next: o.here } }) : ''}
${CANCELLABLE.has(e.status) ? postButton({ action: `/settings/events/${e.id}/cancel`, label: 'Cancel', csrf: o.csrf, fields: { next: o.here } }) : ''}</td></tr>`
}

/** /settings/events: scheduled events and bot runs with status, type and plugin filters; failed and orphaned ones first in the counters; retry and cancel. */
export function eventsPage(o: EventsPageOptions): Html {
  const link = (status: JobStatus) =>
    `/settings/events?${new URLSearchParams({ ...(o.query.type && { type: o.query.type }), ...(o.query.plugin && { plugin: o.query.plugin }), status })}`
  return html`<h1>Events</h1>
<section class="cards" aria-label="Events by status">
${(['failed', 'orphaned', 'pending', 'running', 'done', 'cancelled'] as JobStatus[]).map((s) => html`<a class="card${(s === 'failed' || s === 'orphaned') && o.counts[s] ? ' bad' : ''}" href="${link(s)}"><span class="n" id="events-${s}">${o.counts[s]}</span><span class="label">${s}</span></a>`)}
</section>
${filterForm(o)}
<section aria-labelledby="events-title" id="events">
<h2 id="events-title">Events <span class="subtitle">(${o.events.length} shown, newest first)</span></h2>
${table(
  html`<tr><th>Id</th><th>Status</th><th>Type</th><th>Plugin</th><th>Run at</th><th>Attempts</th><th>Last error</th><th>Action</th></tr>`,
  o.events.map((e) => eventRow(e, o)),
  'No events match.',
  { caption: 'Events' },
)}
</section>
<section aria-labelledby="schedules-title" id="schedules">
<h2 id="schedules-title">Schedules</h2>
${table(
  html`<tr><th>Kind</th><th>Plugin</th><th>Id</th><th>Schedule</th><th>Next run</th><th>Last run</th></tr>`,
  o.schedules.map(
    (
      s,
    ) => html`<tr><td>${s.kind}</td><td>${s.plugin ? html`<a href="${pluginPath(s.plugin)}">${pluginName(s.plugin)}</a>` : '-'}</td><td><code>${s.id}</code></td>
<td>${describeSchedule(s.schedule)}</td><td>${s.active ? utc(s.nextRunAt) : badge('muted', 'paused')}</td><td>${utc(s.lastRunAt)}</td></tr>`,
  ),
  'No recurring schedules: plugin jobs (jobs.schedule), bot schedules and recurring bot events appear here.',
  { caption: 'Schedules' },
)}
</section>`
}
