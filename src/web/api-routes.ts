import type { Context, Hono } from 'hono'
import type { JobFilter } from '../queue/job-queue.ts'
import { JOB_STATUSES, type JobStatus } from '../queue/job-types.ts'
import type { PluginSummary } from '../report/plugin-report.ts'
import type { StoredWarning } from '../report/stored-warning.ts'
import { warningId } from '../report/warning-id.ts'
import type { WarningAck } from '../runtime/warning-acks.ts'
import { warningJson as cliWarningJson } from '../report/plugin-json.ts'
import { settingsViewOf } from '../settings/plugin-settings-view.ts'
import { readPluginDetail } from './plugin-detail.ts'
import type { AdminSnapshot } from './admin-snapshot.ts'
import { encodedBody } from './gzip-body.ts'
import { isAcknowledged, parseWarningQuery, queryParams, selectWarnings } from './warning-query.ts'
import { jsonError, type WebDeps } from './web-deps.ts'

// The CLI's JSON of a warning, plus what only the API has: its id and acknowledgement.
const warningJson = (w: StoredWarning, acks?: Map<string, WarningAck>) => ({
  id: warningId(w),
  ...(acks && { state: isAcknowledged(w, acks) ? 'acknowledged' : 'open', acknowledgement: acks.get(warningId(w)) ?? null }),
  ...cliWarningJson(w),
})

const pluginJson = (p: PluginSummary) => {
  const meta = (typeof p.entry.manifest.metadata === 'object' && p.entry.manifest.metadata ? p.entry.manifest.metadata : {}) as Record<
    string,
    unknown
  >
  return {
    name: p.name,
    version: p.version,
    status: p.status,
    source: p.source,
    origin: p.origin,
    sha256: p.sha256,
    nickname: meta.nickname ?? null,
    signature: p.entry.signature,
    publishedAt: p.entry.publishedAt,
    warnings: p.warnings.map((w) => ({ code: w.code, severity: w.severity, message: w.message })),
  }
}

const JSON_TYPE = 'application/json; charset=utf-8'
/** Cached bodies are kept encoded: encoding them per request was a large share of the CPU under load. */
const bytes = (data: unknown) => new Uint8Array(Buffer.from(JSON.stringify(data)))
export const WARNINGS_LIMIT = 100
const MAX_LIMIT = 1000

/** The body of GET /api/v1/warnings for the request's query, or what is wrong with the query. */
function warningsBody(s: AdminSnapshot, c: Context): Uint8Array | { error: string } {
  const parsed = parseWarningQuery(c.req.query())
  if ('problem' in parsed) return { error: parsed.problem.message }
  const page = pageOf(c.req.query('limit'), c.req.query('offset'))
  if ('error' in page) return page
  const { query } = parsed
  const all = selectWarnings(s.report.warnings, s.acks, query)
  const end = page.offset + page.limit
  const params = queryParams(query)
  const next = end < all.length ? `/api/v1/warnings?${params}${params.size ? '&' : ''}offset=${end}&limit=${page.limit}` : null
  return bytes({
    generation: s.report.generation,
    query,
    total: all.length,
    offset: page.offset,
    limit: page.limit,
    next,
    warnings: all.slice(page.offset, end).map((w) => warningJson(w, s.acks)),
  })
}

/** ?limit and ?offset of a list: limit 1-1000 (default 100), offset >= 0. */
function pageOf(limit: string | undefined, offset: string | undefined): { limit: number; offset: number } | { error: string } {
  const l = limit === undefined ? WARNINGS_LIMIT : Number(limit)
  const o = offset === undefined ? 0 : Number(offset)
  if (!Number.isSafeInteger(l) || l < 1 || l > MAX_LIMIT)
    return { error: `limit must be an integer from 1 to ${MAX_LIMIT}; found "${limit}"` }
  if (!Number.isSafeInteger(o) || o < 0) return { error: `offset must be an integer of 0 or more; found "${offset}"` }
  return { limit: l, offset: o }
}

/** The JSON twins of the pages under /api/v1 (same snapshot, same data). Long lists come in pages: follow `next`. */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: the JSON API's routes, each a few lines, registered on one app
export function addApiRoutes(app: Hono, deps: WebDeps): void {
  const jobs = deps.runtime.jobs.admin

  // Built once per snapshot: a script polling these does not re-serialize hundreds of plugins each time.
  app.get('/api/v1/plugins', async (c) => {
    const s = await deps.snapshots.get()
    const body = await s.memo('api:plugins', Infinity, async () =>
      bytes({ generation: s.report.generation, generatedAt: s.report.generatedAt, plugins: s.report.plugins.map(pluginJson) }),
    )
    return encodedBody(c, body, JSON_TYPE)
  })

  app.get('/api/v1/plugins/:name', async (c) => {
    const snapshot = await deps.snapshots.get()
    const d = await readPluginDetail(snapshot, deps.store, deps.runtime, c.req.param('name'))
    if (!d)
      return c.json(
        jsonError(
          'PLUGIN_NOT_FOUND',
          `no plugin named "${c.req.param('name')}" in generation ${snapshot.report.generation ?? 'none'}; GET /api/v1/plugins lists them`,
        ),
        404,
      )
    return c.json({
      generation: d.generation,
      ...pluginJson(d.plugin),
      disabled: d.disabled,
      warnings: d.plugin.warnings.map((w) => warningJson(w, snapshot.acks)),
      manifest: d.plugin.entry.manifest,
      registered: d.plugin.entry.registered,
      // Declared settings with their values; a secret as its reference, never resolved here.
      settings: settingsViewOf(d.plugin.entry, await deps.runtime.settings.read(d.plugin.entry.name)),
      rejected: d.plugin.entry.rejected
        ? {
            version: d.plugin.entry.rejected.version,
            origin: d.plugin.entry.rejected.origin,
            publishedAt: d.plugin.entry.rejected.publishedAt,
          }
        : null,
      frontend: d.frontend,
      files: d.files,
      history: d.history.map((h) => ({
        version: h.version,
        status: h.status,
        sha256: h.bundleSha256,
        source: h.source,
        origin: h.origin,
        publishedAt: h.publishedAt,
        generations: h.generations,
      })),
      processes: d.running.map((r) => ({
        id: r.process.id,
        role: r.process.role,
        host: r.process.host,
        pid: r.process.pid,
        generation: r.process.generation,
        version: r.version,
        sha256: r.sha256,
        load: r.load,
      })),
      failedIn: d.failedIn.map((r) => ({
        id: r.process.id,
        role: r.process.role,
        host: r.process.host,
        pid: r.process.pid,
        version: r.version,
      })),
      requests: d.requests,
    })
  })

  // The triage view of the landing page as JSON: severity, plugin, code, q, state (open by default) and sort.
  // Worked out once per snapshot and query string: a script polling it gets the same bytes back.
  app.get('/api/v1/warnings', async (c) => {
    const s = await deps.snapshots.get()
    const url = c.req.url
    const search = url.includes('?') ? url.slice(url.indexOf('?')) : ''
    const body = await s.memo(`api:warnings:${search}`, Infinity, async () => warningsBody(s, c))
    return 'error' in body ? c.json(jsonError('BAD_QUERY', body.error), 400) : encodedBody(c, body, JSON_TYPE)
  })

  app.get('/api/v1/processes', async (c) => {
    const s = await deps.snapshots.get()
    const restart = new Map(s.restart.map((r) => [r.process.id, r]))
    return c.json({
      generation: s.report.generation,
      processes: (await deps.runtime.processes.list()).map((p) => {
        const r = restart.get(p.id)
        return { ...p, restartNeeded: Boolean(r), restartPlugins: r ? r.changes : [] }
      }),
    })
  })

  // Every operator action, newest first: who, when, what, outcome.
  app.get('/api/v1/audit', async (c) => {
    const page = pageOf(c.req.query('limit'), c.req.query('offset'))
    if ('error' in page) return c.json(jsonError('BAD_QUERY', page.error), 400)
    const plugin = c.req.query('plugin') || undefined
    const { total, entries } = await deps.runtime.console.audit.list({ limit: page.limit, offset: page.offset, plugin })
    return c.json({ total, offset: page.offset, limit: page.limit, entries })
  })

  app.get('/api/v1/events', async (c) => {
    const q = c.req.query()
    if (q.status && !JOB_STATUSES.includes(q.status as JobStatus)) {
      return c.json(jsonError('BAD_QUERY', `status must be one of ${JOB_STATUSES.join(', ')}; found "${q.status}"`), 400)
    }
    const page = pageOf(q.limit, undefined)
    if ('error' in page) return c.json(jsonError('BAD_QUERY', page.error), 400)
    const filter: JobFilter = {
      status: q.status as JobStatus | undefined,
      eventType: q.eventType || undefined,
      bot: q.bot || undefined,
      limit: page.limit,
    }
    return c.json({ counts: await jobs.counts(), events: await jobs.list(filter) })
  })

  app.all('/api/*', (c) =>
    c.json(
      jsonError(
        'NOT_FOUND',
        `no API route ${c.req.method} ${new URL(c.req.url).pathname}; routes: GET /api/v1/plugins, /api/v1/plugins/:name, /api/v1/warnings, /api/v1/processes, /api/v1/events, /api/v1/audit`,
      ),
      404,
    ),
  )
}
