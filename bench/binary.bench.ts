// The single executable (issue 7): its size, and the time from `dist/app --role=all` start to a 200 on /readyz
// against `node dist/app.cjs --role=all`, the same bundle without SEA (baseline, same run). Goal: within 1.2x.
import { spawn, spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { BenchResult } from './bench-types.ts'
import { median } from './bench-helpers.ts'

const ROOT = resolve(import.meta.dirname, '..')
const APP = join(ROOT, 'dist/app')
const CJS = join(ROOT, 'dist/app.cjs')
const RUNS = 11
const MiB = 1024 * 1024
const log = (msg: string) => process.stderr.write(`bench binary: ${msg}\n`)

/** Spawn -> first 200 from /readyz, in ms; then SIGTERM and wait for the exit. */
async function timeToReady(command: string, args: string[], cwd: string): Promise<number> {
  const t0 = performance.now()
  const child = spawn(command, args, { cwd, env: {}, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  try {
    for (;;) {
      const port = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1]
      if (port && (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.status === 200) return performance.now() - t0
      if (child.exitCode !== null) throw new Error(`${command} exited ${child.exitCode} before ready:\n${out}`)
      if (performance.now() - t0 > 60_000) throw new Error(`${command} not ready after 60 s:\n${out}`)
      await new Promise((r) => setTimeout(r, 5))
    }
  } finally {
    child.kill('SIGTERM')
    const code = await exited
    if (code !== 0) log(`warning: ${command} exited ${code} on SIGTERM`)
  }
}

export async function run(): Promise<BenchResult[]> {
  log('npm run build ...')
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts/build.ts')], { stdio: ['ignore', 'ignore', 'inherit'] })
  if (built.status !== 0) throw new Error('the build failed')

  const work = mkdtempSync(join(tmpdir(), 'app-bench-bin-'))
  try {
    const plugins = join(work, 'plugins')
    cpSync(join(ROOT, 'plugins'), plugins, { recursive: true })
    const variants = [
      { name: 'sea', command: APP, prefix: [] as string[], times: [] as number[] },
      { name: 'cjs', command: process.execPath, prefix: [CJS], times: [] as number[] },
    ]
    for (const v of variants) {
      // Same state for both: the sample plugins published, and (for the SEA) its addon already written.
      const data = join(work, `data-${v.name}`)
      const sync = spawnSync(v.command, [...v.prefix, 'plugins', 'sync', '--data-dir', data, '--plugins-dir', plugins], {
        cwd: work,
        env: { APP_SETTLE_MS: '0' },
      })
      if (sync.status !== 0) throw new Error(`${v.name}: plugins sync failed: ${sync.stderr}`)
      await timeToReady(v.command, [...v.prefix, '--role=all', '--data-dir', data, '--plugins-dir', plugins, '--port', '0'], work) // warm-up
    }
    for (let i = 0; i < RUNS; i++) {
      for (const v of i % 2 ? [...variants].reverse() : variants) {
        const data = join(work, `data-${v.name}`)
        v.times.push(
          await timeToReady(v.command, [...v.prefix, '--role=all', '--data-dir', data, '--plugins-dir', plugins, '--port', '0'], work),
        )
      }
      log(`run ${i + 1}/${RUNS}: sea ${variants[0]!.times.at(-1)!.toFixed(0)} ms, cjs ${variants[1]!.times.at(-1)!.toFixed(0)} ms`)
    }
    const sea = median(variants[0]!.times)
    const cjs = median(variants[1]!.times)
    const size = statSync(APP).size
    const nodeSize = statSync(process.execPath).size
    const ratio = sea / cjs
    return [
      {
        name: 'binary.size',
        what: 'dist/app size (Node 24 stripped + bundle + code cache + SQLite addon)',
        value: Math.round((size / MiB) * 10) / 10,
        unit: 'MiB',
        baseline: {
          what: `the node binary it is built from (${process.versions.node}, with debug symbols)`,
          value: Math.round((nodeSize / MiB) * 10) / 10,
        },
        ratio: Math.round((size / nodeSize) * 100) / 100,
        notes: `bundle dist/app.cjs ${(statSync(CJS).size / MiB).toFixed(1)} MiB`,
      },
      {
        name: 'binary.ready',
        what: 'dist/app --role=all: start to 200 on /readyz (median of 11)',
        value: Math.round(sea),
        unit: 'ms',
        baseline: { what: 'node dist/app.cjs --role=all, same bundle without SEA', value: Math.round(cjs) },
        ratio: Math.round(ratio * 100) / 100,
        goal: '<= 1.2x',
        met: ratio <= 1.2,
        notes: `sea runs ${variants[0]!.times.map((t) => t.toFixed(0)).join(', ')} ms; cjs runs ${variants[1]!.times.map((t) => t.toFixed(0)).join(', ')} ms`,
      },
    ]
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
