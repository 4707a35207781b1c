import { Hono, type Context } from 'hono'
import { getPath } from 'hono/utils/url'
import { matchesPublicPath } from '../loader/blueprint-options.ts'
import type { BlueprintEntry } from '../loader/plugin-host.ts'
import { describeError } from '../loader/with-timeout.ts'
import { placeOf } from '../runtime/record-runtime-error.ts'
import { ADMIN_COOKIES, withoutAdminCookies } from './session-cookies.ts'
import { jsonError, type WebDeps, type WebPluginHost } from './web-deps.ts'

export const ROUTE_TIMEOUT_MS = 30_000

/** Who calls a plugin route, as its handler sees it: `c.get('user')`. */
export interface RouteUser {
  kind: 'admin' | 'anonymous'
}

/** A request to /plugin/<name>/<rest>: the plugin, the URL its app gets, and the path its Hono app will route on. */
export function pluginRouteOf(rawUrl: string): { name: string; url: URL; path: string } | null {
  const url = new URL(rawUrl)
  const segments = url.pathname.split('/')
  if (segments[1] !== 'plugin' || segments[2] === undefined) return null
  let name: string
  try {
    name = decodeURIComponent(segments[2])
  } catch {
    return null
  }
  url.pathname = `/${segments.slice(3).join('/')}` // drop '', 'plugin', '<name>' (possibly encoded)
  return { name, url, path: getPath({ url: url.href } as Request) }
}

/** True for a request to a path a plugin registered as public (registerApiBlueprint(app, { public })): it needs no sign-in. */
export function isPublicPluginRoute(host: WebPluginHost | null, rawUrl: string): boolean {
  const route = host && pluginRouteOf(rawUrl)
  return !!route && host!.blueprints().some((b) => b.plugin === route.name && matchesPublicPath(b.public, route.path))
}

interface RouteEnv {
  user: RouteUser
  seen: { c?: Context }
}
const outers = new WeakMap<Hono, { routes: number; app: Hono<{ Bindings: RouteEnv; Variables: { user: RouteUser } }> }>()

/**
 * The plugin's app inside one of ours, rebuilt when the plugin adds routes:
 * our first middleware gives its handlers `c.get('user')`, and a throw that
 * the plugin's own onError does not answer comes out to us (Hono's default
 * would print it and answer a bare 500), with the route it was thrown in.
 */
function outerOf(app: Hono) {
  const known = outers.get(app)
  if (known && known.routes === app.routes.length) return known.app
  // The plugin's own path reading (a `strict: false` app ignores a trailing slash), so both route alike.
  const outer = new Hono<{ Bindings: RouteEnv; Variables: { user: RouteUser } }>({
    getPath: (app as unknown as { getPath?: (req: Request) => string }).getPath,
  })
  outer.use('*', async (c, next) => {
    c.env.seen.c = c
    c.set('user', c.env.user)
    await next()
  })
  outer.route('/', app)
  outer.onError((error) => {
    const http = error as Error & { getResponse?: () => Response }
    if (typeof http.getResponse === 'function') return http.getResponse() // HTTPException: an answer, not a failure
    throw error
  })
  outer.notFound((c) => app.fetch(c.req.raw, c.env)) // the plugin's own not-found answer
  outers.set(app, { routes: app.routes.length, app: outer })
  return outer
}

/**
 * Mounts each plugin's registerApiBlueprint apps at /plugin/<name>/. The
 * plugin sees its own paths (/status, not /plugin/ops-banner/status) and
 * never the admin token or session cookie, and cannot set, replace or clear
 * the admin's cookies: its Set-Cookie lines naming them are dropped. Routes
 * need the admin sign-in unless the plugin listed them as public; handlers
 * see `c.get('user')`. A route that throws or hangs answers 500 or 504, is
 * logged and becomes a RUNTIME_ERROR of its plugin; the admin stays up.
 */
export function addBlueprintRoutes(app: Hono, deps: WebDeps): void {
  const timeoutMs = deps.pluginRouteTimeoutMs ?? ROUTE_TIMEOUT_MS
  const fail = (b: BlueprintEntry, message: string, detail: string | null) => {
    void deps.runtime.errors.record({ plugin: b.plugin, version: b.version, message, detail, where: placeOf('web') }).then((ok) => {
      if (!ok) deps.logger?.warn({ plugin: b.plugin }, 'could not record a run-time error (database busy)')
    })
  }
  const handle = async (c: Context) => {
    const route = pluginRouteOf(c.req.url)
    const name = route?.name ?? c.req.param('name')!
    const all = deps.host?.blueprints().filter((b) => b.plugin === name) ?? []
    if (!route || !all.length) {
      const serving = [...new Set(deps.host?.blueprints().map((b) => b.plugin) ?? [])]
      return c.json(
        jsonError(
          'PLUGIN_ROUTE_NOT_FOUND',
          `plugin "${name}" has no routes here${serving.length ? `; plugins with routes: ${serving.join(', ')}` : deps.host ? '; no loaded plugin registers routes' : '; this web process has no plugins loaded'}`,
        ),
        404,
      )
    }
    // On a public path the caller may be anyone; the plugin is told whether it is the admin. Elsewhere sign-in was required.
    const open = all.filter((b) => matchesPublicPath(b.public, route.path))
    const user: RouteUser = { kind: !open.length || (await deps.auth.holdsAdmin(c)) ? 'admin' : 'anonymous' }
    const apps = user.kind === 'admin' ? all : open
    const headers = new Headers(c.req.raw.headers)
    headers.delete('authorization')
    const cookies = headers.get('cookie')
    if (cookies) {
      const kept = cookies
        .split(';')
        .map((s) => s.trim())
        .filter((s) => s && !ADMIN_COOKIES.includes(s.slice(0, Math.max(0, s.indexOf('='))).trim()))
      if (kept.length) headers.set('cookie', kept.join('; '))
      else headers.delete('cookie')
    }
    const body = c.req.method === 'GET' || c.req.method === 'HEAD' ? undefined : await c.req.arrayBuffer()
    let timer: NodeJS.Timeout | undefined
    let current: BlueprintEntry = apps[0]!
    const seen: RouteEnv['seen'] = {}
    const where = () => `${c.req.method} ${seen.c?.req.routePath ?? route.path}`
    try {
      for (const [i, b] of apps.entries()) {
        current = b
        seen.c = undefined
        const request = new Request(route.url, { method: c.req.method, headers, body })
        const call = () => outerOf(b.app).fetch(request, { user, seen })
        const timeout = new Promise<'timeout'>((res) => {
          timer = setTimeout(() => res('timeout'), timeoutMs)
        })
        const res = await Promise.race([Promise.resolve(b.enter ? b.enter(call) : call()), timeout])
        clearTimeout(timer)
        if (res === 'timeout') {
          deps.logger?.warn({ plugin: name, version: b.version, path: route.path, timeoutMs }, 'plugin route timed out')
          fail(b, `route ${where()} did not answer within ${timeoutMs / 1000} s; make it answer sooner (long work belongs in a job)`, null)
          return c.json(
            jsonError('PLUGIN_ROUTE_TIMEOUT', `plugin "${name}" did not answer ${c.req.method} ${route.path} within ${timeoutMs / 1000} s`),
            504,
          )
        }
        if (res.status !== 404 || i === apps.length - 1) return withoutAdminCookies(res)
      }
    } catch (error) {
      clearTimeout(timer)
      const e = describeError(error)
      deps.logger?.warn({ plugin: name, version: current.version, path: route.path, err: error }, 'plugin route failed')
      fail(current, `route ${where()} threw ${e.message}`, e.detail)
      return c.json(
        jsonError(
          'PLUGIN_ROUTE_FAILED',
          `plugin "${name}" failed to answer ${c.req.method} ${route.path}: ${(error as Error)?.message ?? String(error)}`,
        ),
        500,
      )
    }
    return c.notFound()
  }
  app.all('/plugin/:name', handle)
  app.all('/plugin/:name/*', handle)
}
