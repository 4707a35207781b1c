import { assertLocalDataDir } from '../fs/local-filesystem.ts'
import type { Role, RoleContext } from './role.ts'

const SHUTDOWN_LIMIT_MS = 10_000

/**
 * Starts the role (or, for `all`, scheduler then worker then web), then waits
 * for SIGTERM/SIGINT: stops roles in reverse order and resolves with the exit
 * code. A second signal, or a stop that overruns 10 s, exits at once.
 */
export async function runRoles(role: 'scheduler' | 'worker' | 'web' | 'all', ctx: RoleContext): Promise<number> {
  assertLocalDataDir(ctx.config.dataDir) // WAL needs a local filesystem: refuse NFS/SMB/FUSE before opening anything
  // Imported on demand: a worker process need not load the web app or the scheduler's sources.
  const starters = {
    scheduler: async (c: RoleContext) => (await import('./start-scheduler.ts')).startScheduler(c),
    worker: async (c: RoleContext) => (await import('./start-worker.ts')).startWorker(c),
    web: async (c: RoleContext) => (await import('./start-web.ts')).startWeb(c),
  }
  const names = role === 'all' ? (['scheduler', 'worker', 'web'] as const) : ([role] as const)
  const started: Role[] = []
  let stopping = false
  const stopAll = async () => {
    for (const r of started.reverse()) {
      try {
        await r.stop()
      } catch (error) {
        ctx.logger.error({ err: error, role: r.name }, 'error while stopping')
      }
    }
  }
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        ctx.logger.warn({ signal }, 'second signal: exiting now')
        process.exit(1)
      }
      stopping = true
      resolve(signal)
    }
    process.on('SIGTERM', onSignal)
    process.on('SIGINT', onSignal)
  })
  const starting = (async () => {
    for (const name of names) {
      if (stopping) break
      started.push(await starters[name](ctx))
    }
  })()
  // A signal while a role is still starting (say, a worker waiting for the store) must not wait for it.
  const first = await Promise.race([starting.then(() => null), signalled]).catch(async (error) => {
    await stopAll()
    throw error
  })
  const signal = first ?? (await signalled)
  starting.catch(() => {}) // interrupted start-up: its outcome no longer matters
  ctx.logger.info({ signal }, 'shutting down')
  const limit = setTimeout(() => {
    ctx.logger.error({ limitMs: SHUTDOWN_LIMIT_MS }, 'shutdown took too long; exiting')
    process.exit(1)
  }, SHUTDOWN_LIMIT_MS)
  limit.unref()
  await stopAll()
  clearTimeout(limit)
  ctx.logger.info('stopped')
  return 0
}
