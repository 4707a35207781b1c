import { openRuntimeDb } from '../runtime/open-runtime.ts'
import { registerProcess } from '../runtime/process-registry.ts'
import { openReadonlyStore } from '../store/open-store.ts'
import type { Role, RoleContext } from './role.ts'

/**
 * What worker and web share: plugins.db opened read-only (SQLite refuses
 * writes), waiting for the scheduler to create it; runtime.db read-write; a
 * process registration that records the generation it loaded.
 */
export async function startReaderRole(role: 'worker' | 'web', { config, logger }: RoleContext) {
  const log = logger.child({ role })
  const store = await openReadonlyStore(config.dataDir, {
    waitMs: config.store.waitMs,
    onWait: (file) => log.info({ file, waitMs: config.store.waitMs }, 'waiting for the scheduler to create the plugin store'),
  })
  const generation = await store.currentGeneration()
  const runtime = openRuntimeDb(config.dataDir)
  const proc = registerProcess(runtime, role)
  await proc.setGeneration(generation?.id ?? null)
  log.info({ generation: generation?.id ?? null, plugins: generation?.plugins.length ?? 0 }, `${role} started`)
  return {
    log, store, runtime, proc, generation,
    async close() {
      await proc.stop()
      runtime.close()
      await store.close()
    },
  }
}
