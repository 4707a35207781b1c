import type { Context, Hono } from 'hono'
import { AppError } from '../errors/app-error.ts'
import { JOB_STATUSES, type JobStatus } from '../queue/job-types.ts'
import { readForm, smallForm } from './form-guard.ts'
import { safeNext } from './login-routes.ts'
import { eventsPage, type EventsQuery } from './pages/events-page.ts'
import { pageResponse, refusal, wantsJson } from './page-response.ts'
import type { WebDeps } from './web-deps.ts'

const EVENTS = '/settings/events'

/** ?status, ?type and ?plugin of the events page; a status outside the list is a 400 naming the allowed ones. */
function parseEventsQuery(q: Record<string, string>): EventsQuery | string {
  const status = q.status || null
  if (status && !JOB_STATUSES.includes(status as JobStatus))
    return `status must be one of ${JOB_STATUSES.join(', ')}; found "${status.slice(0, 40)}"`
  return { status: status as JobStatus | null, type: q.type || null, plugin: q.plugin || null }
}

/** /settings/events (DESIGN section 8): events with status, type and plugin filters, the schedules, and retry and cancel as POST forms. */
export function addEventsRoutes(app: Hono, deps: WebDeps): void {
  const jobs = deps.runtime.jobs.admin

  app.get(EVENTS, async (c) => {
    const query = parseEventsQuery(c.req.query())
    if (typeof query === 'string')
      return refusal(c, deps, { status: 400, code: 'BAD_QUERY', title: 'Events', message: query, back: [EVENTS, 'All events'] })
    const events = await jobs.list({
      status: query.status ?? undefined,
      eventType: query.type ?? undefined,
      owner: query.plugin ?? undefined,
      limit: 200,
    })
    const url = new URL(c.req.url)
    const [counts, facets, schedules] = await Promise.all([jobs.counts(), jobs.facets(200), deps.runtime.schedules.list()])
    const body = eventsPage({
      query,
      statuses: JOB_STATUSES,
      counts,
      events,
      types: facets.eventTypes,
      owners: facets.owners,
      schedules,
      csrf: deps.auth.csrfFor(c),
      here: `${EVENTS}${url.search}`,
    })
    return pageResponse(c, deps, { title: 'Events', active: 'events', crumbs: [['Settings'], ['Events']], body })
  })

  const act = (action: 'retry' | 'cancel') => async (c: Context) => {
    const form = await readForm(c, deps)
    if (form instanceof Response) return form
    const id = Number(c.req.param('id'))
    const back = safeNext(form.next ?? EVENTS)
    const actor = deps.auth.actorFor(c)
    try {
      if (!Number.isSafeInteger(id) || id < 1) throw new AppError('EVENT_NOT_FOUND', `no event with id ${c.req.param('id')}`)
      const job = action === 'retry' ? await jobs.retry(id) : (await jobs.cancel(id)).job
      await deps.runtime.console.audit.record({
        actor,
        action: `event.${action}`,
        plugin: job.owner,
        detail: `event ${id} (${job.eventType})`,
        outcome: 'done',
        message: `now ${job.status}`,
      })
      return wantsJson(c) ? c.json({ event: job }) : c.redirect(back, 303)
    } catch (error) {
      if (!(error instanceof AppError)) throw error
      await deps.runtime.console.audit.record({
        actor,
        action: `event.${action}`,
        plugin: null,
        detail: `event ${c.req.param('id')}`,
        outcome: 'failed',
        message: error.message,
      })
      const status = error.code === 'EVENT_NOT_FOUND' ? 404 : 409
      return refusal(c, deps, {
        status,
        code: status === 404 ? 'EVENT_NOT_FOUND' : 'EVENT_CONFLICT',
        title: `Could not ${action} event ${c.req.param('id')}`,
        message: error.message,
        back: [back, 'Back to the events'],
      })
    }
  }
  app.post(`${EVENTS}/:id/retry`, smallForm, act('retry'))
  app.post(`${EVENTS}/:id/cancel`, smallForm, act('cancel'))
}
