import type { Command } from 'commander'
import { openReaderBackend } from '../../backend/open-backend.ts'
import { contextFromCommand } from '../cli-context.ts'

/**
 * The plugin store (read only, never waited for: a missing one is exit 4) and the runtime tables, on the backend
 * the config names: the SQLite files of --data-dir, or PostgreSQL when database.url is set.
 */
export async function openForReading(cmd: Command) {
  const { config } = contextFromCommand(cmd)
  const { store, runtime, close } = await openReaderBackend(config, 'cli', { waitMs: 0 })
  return { config, store, runtime, close }
}
