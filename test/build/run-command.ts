// Spawning helpers for commands other than `node bin/app.js`: the built executable, the bundle, unshare.
import { join } from 'node:path'
import { ROOT, runCommand, startCommand } from '../helpers/cli.ts'

export const DIST_APP = join(ROOT, 'dist/app')
export const DIST_CJS = join(ROOT, 'dist/app.cjs')

export type { CliResult as Result, RunningRole as Running } from '../helpers/cli.ts'

/** Runs a command to completion with exactly `env` (nothing inherited: `env -i`). */
export const run = runCommand

/** Starts a long-running command with exactly `env` and follows its stdout and stderr. */
export const start = startCommand
