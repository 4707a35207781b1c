import type { Command } from 'commander'
import { openRuntimeDb } from '../runtime/open-runtime.ts'
import { contextFromCommand } from './cli-context.ts'

/** Runs fn with runtime.db of the command's data directory open, and closes it after, whatever happens. */
export async function withRuntime<T>(cmd: Command, fn: (db: ReturnType<typeof openRuntimeDb>, dataDir: string) => Promise<T>): Promise<T> {
  const { config } = contextFromCommand(cmd)
  const db = openRuntimeDb(config.dataDir)
  try {
    return await fn(db, config.dataDir)
  } finally {
    db.close()
  }
}
