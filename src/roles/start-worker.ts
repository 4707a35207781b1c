import { startEventWorker } from '../worker/start-event-worker.ts'
import type { Role, RoleContext } from './role.ts'
import { startReaderRole } from './start-reader-role.ts'
import { runStopSteps } from './stop-steps.ts'

/** Runs scheduled events and bot runs: a pool of handler threads, each with the plugins loaded. */
export async function startWorker(ctx: RoleContext): Promise<Role> {
  const base = await startReaderRole('worker', ctx)
  const events = startEventWorker({
    config: ctx.config,
    logger: base.log,
    runtime: base.runtime,
    proc: base.proc,
    generation: base.plugins.generation,
    store: base.store,
    host: base.plugins,
  })
  return {
    name: 'worker',
    async stop() {
      await runStopSteps(
        [
          ['stop the event handlers', () => events.stop()],
          ['close the plugin store and runtime.db', () => base.close()],
        ],
        base.log,
        ctx.config.dataDir,
      )
    },
  }
}
