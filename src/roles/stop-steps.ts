import { logFailure } from '../fs/disk-full-error.ts'
import type { Logger } from '../log/create-logger.ts'

export type StopStep = readonly [what: string, step: () => unknown]

/**
 * Runs every shutdown step in order, each one whatever the steps before it
 * did: a process registry update that fails (runtime.db on a full disk) must
 * not leave the databases open, their WAL files unchecked-pointed, or the
 * writer lock held. A failure is logged (a full disk as its clear message)
 * and the next step runs.
 */
export async function runStopSteps(steps: StopStep[], log: Logger, dataDir: string): Promise<void> {
  for (const [what, step] of steps) {
    try {
      await step()
    } catch (error) {
      logFailure(log, error, dataDir, `shutdown: could not ${what}; continuing with the next step`)
    }
  }
}
