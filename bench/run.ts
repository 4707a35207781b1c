// `npm run bench [-- name...]`: runs every bench/*.bench.ts (each in its own process, so one
// cannot disturb the next), then writes bench/results.json, bench/results.md and the README table.
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BenchResult } from './bench-types.ts'

const here = dirname(fileURLToPath(import.meta.url))
const only = process.argv.slice(2)
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !only.length || only.some((o) => f.startsWith(o)))
  .sort()
const resultsFile = join(here, 'results.json')
const previous: { results?: Record<string, BenchResult[]> } = (() => {
  try {
    return JSON.parse(readFileSync(resultsFile, 'utf8'))
  } catch {
    return {}
  }
})()
const results: Record<string, BenchResult[]> = { ...previous.results }
const failures: string[] = []

for (const file of files) {
  const name = basename(file, '.bench.ts')
  const out = join(tmpdir(), `app-bench-${process.pid}-${name}.json`)
  process.stderr.write(`\n== bench ${name}\n`)
  const child = spawnSync(process.execPath, ['--expose-gc', join(here, 'run-one.ts'), join(here, file), out], {
    stdio: 'inherit',
    timeout: 15 * 60_000,
  })
  if (child.status !== 0) {
    failures.push(name)
    continue
  }
  results[name] = JSON.parse(readFileSync(out, 'utf8')) as BenchResult[]
  rmSync(out, { force: true })
}

const machine = {
  cores: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  node: process.version,
  date: new Date().toISOString().slice(0, 10),
}
writeFileSync(resultsFile, `${JSON.stringify({ machine, results }, null, 2)}\n`)
const fmt = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2))
const rows = Object.values(results)
  .flat()
  .map(
    (r) =>
      `| ${r.what} | ${fmt(r.value)} ${r.unit} | ${r.baseline ? `${r.baseline.what}: ${fmt(r.baseline.value)} ${r.unit}` : '-'} | ${r.ratio === null ? '-' : `${fmt(r.ratio)}x`} | ${r.goal ?? '-'} | ${r.met === undefined ? '-' : r.met ? 'yes' : '**no**'} |`,
  )
const table = [
  `Measured ${machine.date} on ${machine.cores} cores (${machine.cpu}), Node ${machine.node}. Command: \`npm run bench\`.`,
  '',
  '| what | value | baseline (same run) | ratio | goal | met |',
  '|---|---|---|---|---|---|',
  ...rows,
].join('\n')
writeFileSync(join(here, 'results.md'), `${table}\n`)
const readmeFile = join(here, '..', 'README.md')
const readme = readFileSync(readmeFile, 'utf8')
const updated = readme.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, `<!-- bench:start -->\n${table}\n<!-- bench:end -->`)
if (updated !== readme) writeFileSync(readmeFile, updated)
process.stdout.write(`\n${table}\n`)
if (failures.length) {
  process.stderr.write(`\nbenchmarks failed: ${failures.join(', ')}\n`)
  process.exit(1)
}
