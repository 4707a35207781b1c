// A sample frontend plugin: frontend/init.js and frontend/style.css are loaded
// on every admin page; the route below is mounted at /plugin/ops-banner/status.
// The SDK hands plugins the host's Hono, so a plugin ships no dependencies.
import { Hono, registerApiBlueprint } from 'app/plugin'

export function load() {
  const routes = new Hono()
  routes.get('/status', (c) => c.json({ onCall: 'platform-team', since: new Date().toISOString().slice(0, 10) }))
  registerApiBlueprint(routes)
}
