// Type-checked only (npm run typecheck), never run: `log` and typed plugin routes against types/plugin.d.ts.
import { Hono, log, registerApiBlueprint, type RouteEnv, type RouteUser } from 'app/plugin'

export function load(): void {
  log.info('loaded')
  log.warn({ queue: 'x' }, 'queue is slow')
  log.error(new Error('boom'), 'failed')
  log.debug({ n: 1 }, 'detail')
  const app = new Hono<RouteEnv>()
  app.post('/webhook', (c) => {
    const user: RouteUser = c.get('user')
    return c.json({ anonymous: user.kind === 'anonymous' })
  })
  registerApiBlueprint(app, { public: ['/webhook', '/hooks/:id'] })
  // @ts-expect-error: routes are always mounted under the plugin's own name
  registerApiBlueprint(app, { name: 'another-plugin' })
}
