import type { Hono } from 'hono'
import type { WebDeps } from './web-deps.ts'

/** Probes without auth (load balancers, systemd, k8s) and the Prometheus endpoint (with auth, like every API). */
export function addHealthRoutes(app: Hono, deps: WebDeps): void {
  app.get('/livez', (c) => c.json({ status: 'live' }))
  const ready = async () => {
    if (!deps.isReady()) return { ok: false, body: { status: 'starting', reason: 'plugins are still loading' } }
    try {
      return {
        ok: true,
        body: { status: 'ready', generation: await deps.store.currentGenerationId(), pluginsGeneration: deps.host?.generation ?? null },
      }
    } catch (error) {
      return { ok: false, body: { status: 'unavailable', reason: `cannot read the plugin store: ${(error as Error).message}` } }
    }
  }
  for (const path of ['/readyz', '/healthz']) {
    app.get(path, async (c) => {
      const r = await ready()
      return c.json(r.body, r.ok ? 200 : 503)
    })
  }
  app.get('/metrics', async (c) => {
    const snapshot = deps.isReady() ? await deps.snapshots.get() : null
    return c.text(deps.metrics.render(snapshot, deps.isReady()), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' })
  })
}
