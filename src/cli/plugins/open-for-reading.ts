import type { Command } from 'commander'
import { openRuntimeDb } from '../../runtime/open-runtime.ts'
import { openReadonlyStore } from '../../store/open-store.ts'
import { contextFromCommand } from '../cli-context.ts'

/** Reads plugins.db read-only (never waits: a missing store is exit 4) plus runtime.db when present. */
export async function openForReading(cmd: Command) {
  const { config } = contextFromCommand(cmd)
  const store = await openReadonlyStore(config.dataDir, { waitMs: 0 })
  const runtime = openRuntimeDb(config.dataDir)
  return {
    config,
    store,
    runtime,
    close: async () => {
      runtime.close()
      await store.close()
    },
  }
}
