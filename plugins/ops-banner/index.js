// A sample frontend plugin: frontend/init.js and frontend/style.css are loaded
// on every admin page; the route below is mounted at /plugin/ops-banner/status.
// The SDK hands plugins the host's Hono, so a plugin ships no dependencies.
// The route needs the admin sign-in (the admin page calls it signed in); a path
// listed in registerApiBlueprint(routes, { public: [...] }) would answer anyone.
import { Hono, registerApiBlueprint, log } from 'app/plugin'

export function load() {
  const routes = new Hono()
  routes.get('/status', (c) => {
    log.debug({ caller: c.get('user')?.kind }, 'status asked for')
    return c.json({ onCall: 'platform-team', since: new Date().toISOString().slice(0, 10) })
  })
  registerApiBlueprint(routes)
}
