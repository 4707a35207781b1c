import type { Command } from 'commander'
import { openReaderBackend } from '../backend/open-backend.ts'
import { openRuntimeBackend } from '../backend/open-runtime-backend.ts'
import type { RuntimeBackend } from '../backend/runtime-backend.ts'
import type { Config } from '../config/config-schema.ts'
import type { AppError } from '../errors/app-error.ts'
import type { PluginStoreReader } from '../store/plugin-store-port.ts'
import { contextFromCommand } from './cli-context.ts'

/**
 * Runs fn with the runtime tables of the command's backend open (runtime.db in --data-dir, or PostgreSQL when
 * database.url is set), and closes them after, whatever happens.
 */
export async function withRuntime<T>(cmd: Command, fn: (runtime: RuntimeBackend, config: Config) => Promise<T>): Promise<T> {
  const { config } = contextFromCommand(cmd)
  const runtime = await openRuntimeBackend(config, 'cli')
  try {
    return await fn(runtime, config)
  } finally {
    await runtime.close()
  }
}

/**
 * The same with the plugin store (read only, never waited for) on the same backend; store null when there is
 * no plugins.db yet: nothing was ever published, and the command goes on without it.
 */
export async function withRuntimeAndStore<T>(
  cmd: Command,
  fn: (runtime: RuntimeBackend, store: PluginStoreReader | null, config: Config) => Promise<T>,
): Promise<T> {
  const { config } = contextFromCommand(cmd)
  const backend = await openReaderBackend(config, 'cli', { waitMs: 0 }).catch((error) => {
    if ((error as AppError).code === 'STORE_MISSING') return null
    throw error
  })
  if (!backend) return withRuntime(cmd, (runtime) => fn(runtime, null, config))
  try {
    return await fn(backend.runtime, backend.store, config)
  } finally {
    await backend.close()
  }
}
