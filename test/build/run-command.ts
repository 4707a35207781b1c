// Spawning helpers for commands other than `node bin/app.js`: the built executable, the bundle, unshare.
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { ROOT } from '../helpers/cli.ts'

export const DIST_APP = join(ROOT, 'dist/app')
export const DIST_CJS = join(ROOT, 'dist/app.cjs')

export interface Result { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs a command to completion with exactly `env` (nothing inherited: `env -i`). */
export function run(command: string, args: string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? {}, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000)
    child.on('error', reject)
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }) })
  })
}

export interface Running {
  child: ChildProcess
  output(): string
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>
  /** Sends the signal (SIGTERM by default) and resolves with the exit code (-1 when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number>
  exited: Promise<number>
}

/** Starts a long-running command with exactly `env` and follows its stdout and stderr. */
export function start(command: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Running {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? {}, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  const waiters = new Set<() => void>()
  const onData = (d: Buffer) => { out += d; for (const w of [...waiters]) w() }
  child.stdout!.on('data', onData)
  child.stderr!.on('data', onData)
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => { resolve(code ?? -1); for (const w of [...waiters]) w() }))
  return {
    child,
    exited,
    output: () => out,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${out}`))), timeoutMs)
        const done = (fn: () => void) => { clearTimeout(timer); waiters.delete(check); fn() }
        const check = () => {
          const m = pattern.exec(out)
          if (m) return done(() => resolve(m))
          if (child.exitCode !== null || child.signalCode !== null) done(() => reject(new Error(`exited (${child.exitCode ?? child.signalCode}) before ${pattern}; output:\n${out}`)))
        }
        waiters.add(check)
        check()
      })
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
  }
}
