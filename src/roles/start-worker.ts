import { startEventWorker } from '../worker/start-event-worker.ts'
import type { Role, RoleContext } from './role.ts'
import { startReaderRole } from './start-reader-role.ts'

/** Runs scheduled events and bot runs: a pool of handler threads, each with the plugins loaded. */
export async function startWorker(ctx: RoleContext): Promise<Role> {
  const base = await startReaderRole('worker', ctx)
  const events = startEventWorker({ config: ctx.config, logger: base.log, runtime: base.runtime, proc: base.proc, generation: base.plugins.generation, store: base.store, host: base.plugins })
  return {
    name: 'worker',
    async stop() {
      await events.stop()
      await base.close()
    },
  }
}
