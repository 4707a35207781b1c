import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const APP_BIN = join(ROOT, 'bin/app.js')

/** A fresh directory removed when the test ends. */
export function tempDir(t: { after(fn: () => void): void }, prefix = 'app-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

export interface CliResult { code: number | null; stdout: string; stderr: string }

/** Runs `app <args>` as a user would: a separate process on the pinned Node. */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [APP_BIN, ...args], { cwd: options.cwd, env: { ...process.env, APP_LOG_LEVEL: 'warn', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
    child.on('error', rej)
    child.on('close', (code) => { clearTimeout(timer); res({ code, stdout, stderr }) })
  })
}

export interface RunningRole {
  child: ChildProcess
  output(): string
  /** Resolves with the first log line matching; rejects if the process exits first or on timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
  exited: Promise<number | null>
}

/** Starts `app --role=...` (or any long-running command) and follows its output. */
export function startCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): RunningRole {
  const child = spawn(process.execPath, [APP_BIN, ...args], { cwd: options.cwd, env: { ...process.env, APP_LOG_LEVEL: 'info', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  const waiters: Array<() => void> = []
  const onData = (d: Buffer) => { out += d; for (const w of [...waiters]) w() }
  child.stdout!.on('data', onData)
  child.stderr!.on('data', onData)
  const exited = new Promise<number | null>((res) => child.on('exit', (code, signal) => { res(code ?? (signal ? -1 : null)); for (const w of [...waiters]) w() }))
  return {
    child,
    exited,
    output: () => out,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((res, rej) => {
        const check = () => {
          const line = out.split('\n').find((l) => pattern.test(l))
          if (line !== undefined) return done(() => res(line))
          if (child.exitCode !== null || child.signalCode !== null) return done(() => rej(new Error(`process exited (${child.exitCode ?? child.signalCode}) before ${pattern}; output:\n${out}`)))
        }
        const timer = setTimeout(() => done(() => rej(new Error(`timed out waiting for ${pattern}; output:\n${out}`))), timeoutMs)
        const done = (fn: () => void) => { clearTimeout(timer); waiters.splice(waiters.indexOf(check), 1); fn() }
        waiters.push(check)
        check()
      })
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
  }
}

/** Writes a plugin folder: plugin.json from the manifest, plus the given files. */
export function writePlugin(pluginsDir: string, folder: string, manifest: Record<string, unknown> | null, files: Record<string, string | Buffer> = {}): string {
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
export const manifest = (name: string, extra: Record<string, unknown> = {}) => ({ name, version: '1.0.0', apiVersion: 1, modules: ['index.js'], ...extra })
