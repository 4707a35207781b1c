import { Hono } from 'hono'
import { hostAllowlist } from './host-allowlist.ts'
import { securityHeaders } from './security-headers.ts'

/**
 * What the web role answers while it waits for the plugin store and loads
 * plugins: alive, not ready, everything else "try again shortly".
 */
export function createStartingApp(allowedHosts: string[]): Hono {
  const app = new Hono()
  const hosts = hostAllowlist(allowedHosts)
  app.use(securityHeaders())
  app.get('/livez', (c) => c.json({ status: 'live' }))
  for (const path of ['/readyz', '/healthz'])
    app.get(path, (c) => c.json({ status: 'starting', reason: 'waiting for the plugin store and loading plugins' }, 503))
  app.all('*', hosts, (c) =>
    c.text('The admin is starting: it waits for the plugin store and loads plugins. Try again in a few seconds.\n', 503, {
      'Retry-After': '5',
    }),
  )
  return app
}
