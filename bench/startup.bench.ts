// Startup benchmark (issue 3): time to ready for a worker with 100 and 1,000 small plugins, cold and
// warm cache. Baseline, same run: a plain Node process importing the same modules straight from a
// directory (with a stub `app/plugin` package) and calling load() on each.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { syncPlugins } from '../src/publish/sync-plugins.ts'
import { createDirectorySource } from '../src/sources/directory-source.ts'
import { openWritableStore } from '../src/store/open-store.ts'
import type { BenchResult } from './bench-types.ts'
import { median, timeToReady } from './bench-helpers.ts'

const REPO = resolve(fileURLToPath(import.meta.url), '../..')
const SIZES = [100, 1000]
const REPEAT = 5
const limits = { maxBytes: 50 * 1024 * 1024, maxFiles: 10_000, maxDepth: 32 }

/** A small plugin: a manifest, an ESM entry that imports the SDK and a helper, a filter registered in load(). */
function writePlugins(dir: string, count: number): void {
  const old = new Date(Date.now() - 60_000)
  for (let i = 0; i < count; i++) {
    const p = join(dir, `bench-${String(i).padStart(4, '0')}`)
    mkdirSync(p, { recursive: true })
    writeFileSync(
      join(p, 'plugin.json'),
      JSON.stringify({ name: `bench-${String(i).padStart(4, '0')}`, version: '1.0.0', apiVersion: 1, modules: ['index.js'] }),
    )
    writeFileSync(
      join(p, 'index.js'),
      `import { QueryRegistry } from 'app/plugin'\nimport { matches } from './match.js'\n\nexport function load() {\n  QueryRegistry.register({ queryId: 'bench.filter.${i}', supportedResources: ['instance'] }, (resource) => matches(resource, ${i}))\n}\n`,
    )
    writeFileSync(join(p, 'match.js'), `export const matches = (resource, n) => resource.properties?.n === n\n`)
    for (const f of readdirSync(p)) utimesSync(join(p, f), old, old)
  }
}

const BASELINE = `import { readdirSync } from 'node:fs'
const dir = process.argv[2]
const t0 = performance.now()
let n = 0
for (const name of readdirSync(dir).filter((d) => d.startsWith('bench-')).sort()) {
  const m = await import(new URL(name + '/index.js', 'file://' + dir + '/').href)
  await m.load()
  n++
}
process.stdout.write(JSON.stringify({ ready: true, loadMs: performance.now() - t0, n }) + '\\n')
`

const LOADER = (
  repo: string,
) => `import { loadPlugins } from ${JSON.stringify(pathToFileURL(join(repo, 'src/loader/create-plugin-host.ts')).href)}
import { openReadonlyStore } from ${JSON.stringify(pathToFileURL(join(repo, 'src/store/open-store.ts')).href)}
const dataDir = process.argv[2]
const t0 = performance.now()
const store = await openReadonlyStore(dataDir)
const host = await loadPlugins({ generation: await store.currentGeneration(), store, dataDir, services: null, guardProcess: false })
const loadMs = performance.now() - t0
process.stdout.write(JSON.stringify({ ready: true, loadMs, n: host.queries.ids().length }) + '\\n')
process.exit(0)
`

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = []
  for (const size of SIZES) {
    const root = mkdtempSync(join(tmpdir(), `app-bench-startup-${size}-`))
    try {
      const plugins = join(root, 'plugins')
      const dataDir = join(root, 'data')
      writePlugins(plugins, size)
      // The baseline tree: the same plugin folders, a stub `app/plugin` package, "type": "module".
      const base = join(root, 'baseline')
      cpSync(plugins, base, { recursive: true })
      writeFileSync(join(base, 'package.json'), '{ "type": "module" }\n')
      mkdirSync(join(base, 'node_modules/app'), { recursive: true })
      writeFileSync(
        join(base, 'node_modules/app/package.json'),
        JSON.stringify({ name: 'app', type: 'module', exports: { './plugin': './plugin.js' } }),
      )
      writeFileSync(
        join(base, 'node_modules/app/plugin.js'),
        'const filters = new Map()\nexport const QueryRegistry = { register(spec, fn) { filters.set(spec.queryId, fn); return () => filters.delete(spec.queryId) } }\n',
      )
      writeFileSync(join(root, 'baseline.mjs'), BASELINE)
      writeFileSync(join(root, 'loader.ts'), LOADER(REPO))

      const store = await openWritableStore(dataDir)
      const published = await syncPlugins({ store, sources: [createDirectorySource(plugins, { limits, settleMs: 0 })] })
      await store.close()
      if (published.plugins !== size) throw new Error(`published ${published.plugins} of ${size} plugins`)
      process.stderr.write(`startup ${size}: published ${size} plugins (no dry run)\n`)

      const cache = join(dataDir, 'cache')
      mkdirSync(cache)
      const figures = {
        baseline: [] as number[],
        baselineLoad: [] as number[],
        cold: [] as number[],
        warm: [] as number[],
        coldLoad: [] as number[],
        warmLoad: [] as number[],
      }
      const env = { APP_LOG_LEVEL: 'info', APP_CONCURRENCY: '1', APP_STORE_WAIT_MS: '0' }
      for (let r = 0; r < REPEAT; r++) {
        const b = await timeToReady([join(root, 'baseline.mjs'), base], /"ready"/)
        figures.baseline.push(b.ms)
        figures.baselineLoad.push(JSON.parse(b.line).loadMs)
        // Moved aside, not deleted: deleting thousands of files just before would slow the writes measured next (ext4 discard).
        renameSync(cache, join(root, `cache-${r}-a`))
        figures.cold.push((await timeToReady([join(REPO, 'bin/app.js'), '--role=worker', '--data-dir', dataDir], /worker started/, env)).ms)
        figures.warm.push((await timeToReady([join(REPO, 'bin/app.js'), '--role=worker', '--data-dir', dataDir], /worker started/, env)).ms)
        renameSync(cache, join(root, `cache-${r}-b`))
        figures.coldLoad.push(JSON.parse((await timeToReady([join(root, 'loader.ts'), dataDir], /"ready"/)).line).loadMs)
        figures.warmLoad.push(JSON.parse((await timeToReady([join(root, 'loader.ts'), dataDir], /"ready"/)).line).loadMs)
        process.stderr.write(
          `startup ${size} run ${r + 1}: baseline ${figures.baseline.at(-1)!.toFixed(0)} ms (loop ${figures.baselineLoad.at(-1)!.toFixed(0)}), worker cold ${figures.cold.at(-1)!.toFixed(0)} warm ${figures.warm.at(-1)!.toFixed(0)} ms, loader cold ${figures.coldLoad.at(-1)!.toFixed(0)} warm ${figures.warmLoad.at(-1)!.toFixed(0)} ms\n`,
        )
      }
      const m = Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, median(v)])) as Record<keyof typeof figures, number>
      const processBaseline = {
        what: `plain \`node\` process importing the same ${size} modules from a directory and calling load(), spawn to ready`,
        value: m.baseline,
      }
      const loopBaseline = { what: `the same imports + load() calls inside that plain process`, value: m.baselineLoad }
      results.push(
        {
          name: `startup.${size}.warm`,
          what: `worker process, ${size} small plugins, warm cache: spawn to "worker started"`,
          value: m.warm,
          unit: 'ms',
          baseline: processBaseline,
          ratio: m.warm / m.baseline,
          goal: '<= 1.5x',
          met: m.warm / m.baseline <= 1.5,
        },
        {
          name: `startup.${size}.cold`,
          what: `worker process, ${size} small plugins, cold cache (bundles written to data/cache first)`,
          value: m.cold,
          unit: 'ms',
          baseline: processBaseline,
          ratio: m.cold / m.baseline,
        },
        {
          name: `startup.${size}.loader-warm`,
          what: `loading ${size} plugins in a process (loadPlugins: store read, cache reuse, imports, load()), warm cache`,
          value: m.warmLoad,
          unit: 'ms',
          baseline: loopBaseline,
          ratio: m.warmLoad / m.baselineLoad,
          goal: '<= 1.5x',
          met: m.warmLoad / m.baselineLoad <= 1.5,
        },
        {
          name: `startup.${size}.loader-cold`,
          what: `loading ${size} plugins in a process, cold cache`,
          value: m.coldLoad,
          unit: 'ms',
          baseline: loopBaseline,
          ratio: m.coldLoad / m.baselineLoad,
        },
      )
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  }
  return results
}
