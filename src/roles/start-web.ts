import { resolveAdminToken } from '../web/admin-token.ts'
import { createStartingApp } from '../web/create-starting-app.ts'
import { createWebApp } from '../web/create-web-app.ts'
import { allowedHostNames } from '../web/host-allowlist.ts'
import { startWebServer } from '../web/start-web-server.ts'
import type { Role, RoleContext } from './role.ts'
import { startReaderRole } from './start-reader-role.ts'
import { runStopSteps } from './stop-steps.ts'

/**
 * Admin pages, JSON API, plugin assets and plugin routes. Listens first (so
 * /livez answers and /readyz says 503 while the store is awaited and plugins
 * load), then swaps in the admin app.
 */
export async function startWeb(ctx: RoleContext): Promise<Role> {
  const { config } = ctx
  const log = ctx.logger.child({ role: 'web' })
  const admin = resolveAdminToken(config.dataDir)
  if (admin.generated) {
    // Printed once, on the console rather than into shipped logs; the file keeps it.
    process.stderr.write(
      `app: generated the web admin token (kept in ${admin.from}, mode 0600; set APP_ADMIN_TOKEN to choose your own):\n  ${admin.token}\n`,
    )
    log.info({ file: admin.from }, 'generated the admin token')
  }
  const allowedHosts = allowedHostNames(config.host, config.allowedHosts)
  let app = createStartingApp(allowedHosts)
  const server = await startWebServer({ fetch: (request, env) => app.fetch(request, env), host: config.host, port: config.port })
  log.info({ url: server.url, host: config.host, port: server.port }, `web listening on ${server.url}`)
  let base: Awaited<ReturnType<typeof startReaderRole>>
  try {
    base = await startReaderRole('web', ctx)
  } catch (error) {
    await server.close()
    throw error
  }
  // Not ready until a generation is loaded: a web started before the first publish loads it when it
  // appears (startReaderRole), and a load balancer must not send users to an admin without plugins.
  const plugins = base.plugins
  app = createWebApp({
    store: base.store,
    runtime: base.runtime,
    token: admin.token,
    allowedHosts,
    host: plugins,
    logger: log,
    isReady: () => plugins.generation !== null,
  })
  log.info({ url: server.url }, 'web ready')
  return {
    name: 'web',
    async stop() {
      await runStopSteps(
        [
          ['close the web server', () => server.close()],
          ['close the plugin store and the runtime tables', () => base.close()],
        ],
        log,
        config.dataDir,
      )
    },
  }
}
