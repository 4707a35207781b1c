import type { Role, RoleContext } from './role.ts'
import { startReaderRole } from './start-reader-role.ts'

/** Runs scheduled events and bot runs (the events part grows this). */
export async function startWorker(ctx: RoleContext): Promise<Role> {
  const base = await startReaderRole('worker', ctx)
  return { name: 'worker', stop: () => base.close() }
}
