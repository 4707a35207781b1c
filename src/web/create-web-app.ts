import { Hono, type Context } from 'hono'
import type { RuntimeBackend } from '../backend/runtime-backend.ts'
import { sqliteRuntimeBackend } from '../backend/sqlite-runtime-backend.ts'
import type { Logger } from '../log/create-logger.ts'
import type { Db } from '../store/open-database.ts'
import { createSnapshotSource } from './admin-snapshot.ts'
import { addActionRoutes } from './action-routes.ts'
import { addApiRoutes } from './api-routes.ts'
import { addAssetRoutes } from './asset-routes.ts'
import { addBlueprintRoutes, isPublicPluginRoute } from './blueprint-routes.ts'
import { createAuth } from './create-auth.ts'
import { refuseCrossOrigin } from './cross-origin.ts'
import { addEventsRoutes } from './events-routes.ts'
import { addHealthRoutes } from './health-routes.ts'
import { hostAllowlist } from './host-allowlist.ts'
import { addLoginRoutes } from './login-routes.ts'
import { addPageRoutes, notFoundPage } from './page-routes.ts'
import { securityHeaders } from './security-headers.ts'
import { FAILURE_WINDOW_MS, MAX_FAILURES } from './sign-in-throttle.ts'
import type { SessionLimits } from '../sessions/session-store.ts'
import { jsonError, type WebDeps, type WebPluginHost } from './web-deps.ts'
import type { WebStore } from './web-store.ts'
import { createWebMetrics } from './web-metrics.ts'

export interface WebAppOptions {
  store: WebStore
  /** The runtime tables' ports (either backend), or a runtime.db connection to use them on (tests, the test host). */
  runtime: RuntimeBackend | Db
  /** The admin token: pages, API, assets and plugin routes all need it (cookie or Bearer). */
  token: string
  /** Host names the admin answers to (see allowedHostNames). */
  allowedHosts: string[]
  /** The plugins this process loaded; null: no plugin routes, frontend files from the store. */
  host?: WebPluginHost | null
  /** /readyz answers 503 until this says true. Default: ready. */
  isReady?: () => boolean
  logger?: Logger | null
  /** Session idle and absolute expiry (defaults: 2 h idle, 12 h absolute). */
  sessions?: SessionLimits
  /** How long a plugin route may take to answer (default 30 s). */
  pluginRouteTimeoutMs?: number
}

/** Paths anyone may fetch: probes, the sign-in form, the stylesheet it uses, and the (empty) favicon. */
const PUBLIC = new Set(['/livez', '/readyz', '/healthz', '/login', '/static/app.css', '/favicon.ico'])
const PROBES = new Set(['/livez', '/readyz', '/healthz'])
/** Paths answered with 401 JSON rather than a redirect to the sign-in page. */
const MACHINE = /^\/(api|plugin|plugins)\/|^\/metrics$/

/**
 * The admin web app (DESIGN section 8) as a Hono app: in-process testable
 * with app.request(), served by startWebServer().
 */
export function createWebApp(options: WebAppOptions): Hono {
  const logger = options.logger ?? null
  const runtime = 'prepare' in options.runtime ? sqliteRuntimeBackend(options.runtime) : options.runtime
  const deps: WebDeps = {
    store: options.store,
    runtime,
    snapshots: createSnapshotSource({ store: options.store, runtime, host: options.host ?? null }),
    auth: createAuth(options.token, runtime, options.sessions),
    metrics: createWebMetrics(),
    host: options.host ?? null,
    isReady: options.isReady ?? (() => true),
    logger,
    pluginRouteTimeoutMs: options.pluginRouteTimeoutMs,
  }
  const app = new Hono()
  const hosts = hostAllowlist(options.allowedHosts)

  app.use(async (c, next) => {
    const t0 = performance.now()
    await next()
    deps.metrics.observe(c.res.status, performance.now() - t0)
  })
  app.use(securityHeaders())
  // Probes come from load balancers that use an IP as Host; they reveal nothing.
  app.use((c, next) => (PROBES.has(c.req.path) ? next() : hosts(c, next)))
  // Before sign-in checks: a cross-origin POST is refused whoever it claims to be. /login answers with its form.
  app.use(refuseCrossOrigin({ machine: MACHINE, skip: new Set(['/login']) }))
  app.use(async (c, next) => {
    // A plugin's public routes (registerApiBlueprint(app, { public })) answer anyone; the route tells the plugin who called.
    if (PUBLIC.has(c.req.path) || (c.req.path.startsWith('/plugin/') && isPublicPluginRoute(deps.host, c.req.url))) return next()
    const wait = c.req.header('authorization') !== undefined ? deps.auth.retryAfterS(c) : 0
    if (wait) return tooManyFailures(c, wait)
    if (await deps.auth.check(c)) return next()
    if (MACHINE.test(c.req.path)) {
      c.header('WWW-Authenticate', 'Bearer realm="app"')
      return c.json(
        jsonError(
          'UNAUTHORIZED',
          'missing or wrong admin token: send "Authorization: Bearer <token>" (APP_ADMIN_TOKEN, or data/admin-token), or sign in at /login',
        ),
        401,
      )
    }
    const url = new URL(c.req.url)
    return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 302)
  })

  addHealthRoutes(app, deps)
  addLoginRoutes(app, deps)
  addPageRoutes(app, deps)
  addActionRoutes(app, deps)
  addEventsRoutes(app, deps)
  addApiRoutes(app, deps)
  addAssetRoutes(app, deps)
  addBlueprintRoutes(app, deps)

  app.notFound((c) => (MACHINE.test(c.req.path) ? c.json(jsonError('NOT_FOUND', `nothing at ${c.req.path}`), 404) : notFoundPage(c, deps)))
  app.onError((error, c) => {
    logger?.error({ err: error, method: c.req.method, path: c.req.path }, 'web request failed')
    return MACHINE.test(c.req.path)
      ? c.json(jsonError('INTERNAL', 'the request failed; the server log has the details'), 500)
      : c.text('The request failed; the server log has the details.\n', 500)
  })
  return app
}

/** 429 for a client that failed to sign in too often: its token is not compared until Retry-After passes. */
function tooManyFailures(c: Context, wait: number) {
  c.header('Retry-After', String(wait))
  const message = `${MAX_FAILURES} failed sign-ins from this address within ${FAILURE_WINDOW_MS / 1000} s; try again in ${wait} s, with the token from APP_ADMIN_TOKEN or data/admin-token`
  return MACHINE.test(c.req.path) ? c.json(jsonError('TOO_MANY_FAILED_SIGN_INS', message), 429) : c.text(`${message}.\n`, 429)
}
