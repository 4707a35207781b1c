import type { Context, Hono } from 'hono'
import { ADMIN_COOKIES, withoutAdminCookies } from './session-cookies.ts'
import { jsonError, type WebDeps } from './web-deps.ts'

const ROUTE_TIMEOUT_MS = 30_000

/**
 * Mounts each plugin's registerApiBlueprint apps at /plugin/<name>/. The
 * plugin sees its own paths (/status, not /plugin/ops-banner/status) and
 * never the admin token or session cookie, and cannot set, replace or clear
 * the admin's cookies: its Set-Cookie lines naming them are dropped. A route
 * that throws or hangs answers 500 or 504 and is logged; it does not take the
 * admin down.
 */
export function addBlueprintRoutes(app: Hono, deps: WebDeps): void {
  const handle = async (c: Context) => {
    const name = c.req.param('name')!
    const apps = deps.host?.blueprints().filter((b) => b.plugin === name) ?? []
    if (!apps.length) {
      const serving = [...new Set(deps.host?.blueprints().map((b) => b.plugin) ?? [])]
      return c.json(jsonError('PLUGIN_ROUTE_NOT_FOUND', `plugin "${name}" has no routes here${serving.length ? `; plugins with routes: ${serving.join(', ')}` : deps.host ? '; no loaded plugin registers routes' : '; this web process has no plugins loaded'}`), 404)
    }
    const url = new URL(c.req.url)
    url.pathname = `/${url.pathname.split('/').slice(3).join('/')}` // drop '', 'plugin', '<name>' (possibly encoded)
    const headers = new Headers(c.req.raw.headers)
    headers.delete('authorization')
    const cookies = headers.get('cookie')
    if (cookies) {
      const kept = cookies.split(';').map((s) => s.trim()).filter((s) => s && !ADMIN_COOKIES.includes(s.slice(0, Math.max(0, s.indexOf('='))).trim()))
      if (kept.length) headers.set('cookie', kept.join('; '))
      else headers.delete('cookie')
    }
    const body = c.req.method === 'GET' || c.req.method === 'HEAD' ? undefined : await c.req.arrayBuffer()
    let timer: NodeJS.Timeout | undefined
    try {
      for (const [i, b] of apps.entries()) {
        const request = new Request(url, { method: c.req.method, headers, body })
        const timeout = new Promise<'timeout'>((res) => { timer = setTimeout(() => res('timeout'), ROUTE_TIMEOUT_MS) })
        const res = await Promise.race([Promise.resolve(b.app.fetch(request)), timeout])
        clearTimeout(timer)
        if (res === 'timeout') {
          deps.logger?.warn({ plugin: name, path: url.pathname, timeoutMs: ROUTE_TIMEOUT_MS }, 'plugin route timed out')
          return c.json(jsonError('PLUGIN_ROUTE_TIMEOUT', `plugin "${name}" did not answer ${c.req.method} ${url.pathname} within ${ROUTE_TIMEOUT_MS / 1000} s`), 504)
        }
        if (res.status !== 404 || i === apps.length - 1) return withoutAdminCookies(res)
      }
    } catch (error) {
      clearTimeout(timer)
      deps.logger?.warn({ plugin: name, path: url.pathname, err: error }, 'plugin route failed')
      return c.json(jsonError('PLUGIN_ROUTE_FAILED', `plugin "${name}" failed to answer ${c.req.method} ${url.pathname}: ${(error as Error)?.message ?? String(error)}`), 500)
    }
    return c.notFound()
  }
  app.all('/plugin/:name', handle)
  app.all('/plugin/:name/*', handle)
}
