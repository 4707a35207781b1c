// Small pieces every benchmark uses: a median, and the time a spawned process takes to say it is ready.
import { spawn } from 'node:child_process'

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** Spawns a process and resolves with the wall time from spawn to the first stdout line matching `ready`, plus that line. */
export function timeToReady(args: string[], ready: RegExp, env: Record<string, string> = {}): Promise<{ ms: number; line: string }> {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now()
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    let done = false
    child.stdout.on('data', (d) => {
      out += d
      const line = out.split('\n').find((l) => ready.test(l))
      if (line === undefined || done) return
      done = true
      const ms = performance.now() - t0
      child.kill('SIGKILL')
      resolvePromise({ ms, line })
    })
    child.stderr.on('data', (d) => (err += d))
    child.on('exit', (code) => {
      if (!done) reject(new Error(`${args.join(' ')} exited ${code} before ready:\n${out}\n${err}`))
    })
  })
}
