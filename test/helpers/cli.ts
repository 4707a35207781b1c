import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { appEntry } from './app-entry.ts'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
/** `app` as the end-to-end tier starts it: the fresh bundle, or bin/app.js (see appEntry). */
export const APP_BIN = appEntry(ROOT)

/** A fresh directory removed when the test ends. */
export function tempDir(t: { onTestFinished(fn: () => unknown): void }, prefix = 'app-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  t.onTestFinished(async () => {
    await rmSync(dir, { recursive: true, force: true })
  })
  return dir
}

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Runs any command to completion with exactly `env` (nothing inherited unless the caller passes it). */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((res, rej) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? {}, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000)
    child.on('error', rej)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      res({ code, signal, stdout, stderr })
    })
  })
}

/** Runs `app <args>` as a user would: a separate process on the pinned Node. */
export function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliResult> {
  return runCommand(process.execPath, [APP_BIN, ...args], {
    cwd: options.cwd,
    timeoutMs: options.timeoutMs ?? 60_000,
    env: { ...process.env, APP_LOG_LEVEL: 'warn', ...options.env },
  })
}

export interface RunningRole {
  child: ChildProcess
  output(): string
  /** Resolves with the first match in the output so far; rejects if the process exits first or on timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>
  /** Sends the signal (SIGTERM by default) and resolves with the exit code (-1 when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number>
  exited: Promise<number>
}

/** Starts any long-running command with exactly `env` and follows its stdout and stderr. */
export function startCommand(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): RunningRole {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? {}, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  const waiters = new Set<() => void>()
  const onData = (d: Buffer) => {
    out += d
    for (const w of [...waiters]) w()
  }
  child.stdout!.on('data', onData)
  child.stderr!.on('data', onData)
  const exited = new Promise<number>((res) =>
    child.on('exit', (code) => {
      res(code ?? -1)
      for (const w of [...waiters]) w()
    }),
  )
  return {
    child,
    exited,
    output: () => out,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((res, rej) => {
        const timer = setTimeout(() => done(() => rej(new Error(`timed out waiting for ${pattern}; output:\n${out}`))), timeoutMs)
        const done = (fn: () => void) => {
          clearTimeout(timer)
          waiters.delete(check)
          fn()
        }
        const check = () => {
          const m = pattern.exec(out)
          if (m) return done(() => res(m))
          if (child.exitCode !== null || child.signalCode !== null)
            done(() => rej(new Error(`process exited (${child.exitCode ?? child.signalCode}) before ${pattern}; output:\n${out}`)))
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

/** Starts `app --role=...` (or any long-running app command) and follows its output. */
export function startCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): RunningRole {
  return startCommand(process.execPath, [APP_BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, APP_LOG_LEVEL: 'info', ...options.env },
  })
}

/** Writes a plugin folder: plugin.json from the manifest, plus the given files. */
export function writePlugin(
  pluginsDir: string,
  folder: string,
  manifest: Record<string, unknown> | null,
  files: Record<string, string | Buffer> = {},
): string {
  const dir = join(pluginsDir, folder)
  mkdirSync(dir, { recursive: true })
  if (manifest) writeFileSync(join(dir, 'plugin.json'), JSON.stringify(manifest, null, 2))
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
  return dir
}

/** A minimal valid manifest for tests. */
export const manifest = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  version: '1.0.0',
  apiVersion: 1,
  modules: ['index.js'],
  ...extra,
})
