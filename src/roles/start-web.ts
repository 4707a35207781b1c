import type { Role, RoleContext } from './role.ts'
import { startReaderRole } from './start-reader-role.ts'

/** Admin page, JSON API and plugin assets (the web part grows this). */
export async function startWeb(ctx: RoleContext): Promise<Role> {
  const base = await startReaderRole('web', ctx)
  return { name: 'web', stop: () => base.close() }
}
