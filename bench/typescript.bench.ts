// TypeScript plugins (the plugin author's loop): the same 100 small plugins written in TypeScript (a class
// decorator, an enum, a second module) and in JavaScript. Publish compiles the TypeScript once (esbuild) before
// the dry run; a worker loads the stored output and never compiles, so its start should match JavaScript's.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { createCompiler } from '../src/compile/create-compiler.ts'
import { createDryRun } from '../src/loader/create-dry-run.ts'
import { syncPlugins } from '../src/publish/sync-plugins.ts'
import { createDirectorySource } from '../src/sources/directory-source.ts'
import { openWritableStore } from '../src/store/open-store.ts'
import type { BenchResult } from './bench-types.ts'
import { median, timeToReady } from './bench-helpers.ts'

const REPO = resolve(fileURLToPath(import.meta.url), '../..')
const COUNT = 100
const REPEAT = 7
const limits = { maxBytes: 50 * 1024 * 1024, maxFiles: 10_000, maxDepth: 32 }

const TS_INDEX = (
  i: number,
) => `import { QueryRegistry, ScheduledEventJob, ScheduledEventManager, type EventContext, type Resource } from 'app/plugin'
import { Size, matches } from './match.ts'

@ScheduledEventManager.register('bench.event.${i}')
class BenchJob extends ScheduledEventJob {
  override async run(ctx: EventContext): Promise<void> {
    ctx.log.info({ size: Size.Large }, 'ran')
  }
}

export function load(): void {
  QueryRegistry.register({ queryId: 'bench.filter.${i}', supportedResources: ['instance'] }, (resource: Resource) => matches(resource, ${i}, Size.Small))
}
`
const TS_MATCH = `import type { Resource } from 'app/plugin'

export enum Size { Small = 'small', Large = 'large' }

export const matches = (resource: Resource, n: number, size: Size): boolean => resource.properties?.n === n && resource.properties?.size === size
`
const JS_INDEX = (i: number) => `import { QueryRegistry, ScheduledEventJob, ScheduledEventManager } from 'app/plugin'
import { Size, matches } from './match.js'

ScheduledEventManager.register('bench.event.${i}')(class BenchJob extends ScheduledEventJob {
  async run(ctx) {
    ctx.log.info({ size: Size.Large }, 'ran')
  }
})

export function load() {
  QueryRegistry.register({ queryId: 'bench.filter.${i}', supportedResources: ['instance'] }, (resource) => matches(resource, ${i}, Size.Small))
}
`
const JS_MATCH = `export const Size = Object.freeze({ Small: 'small', Large: 'large' })

export const matches = (resource, n, size) => resource.properties?.n === n && resource.properties?.size === size
`

function writePlugins(dir: string, ts: boolean): void {
  const old = new Date(Date.now() - 60_000)
  for (let i = 0; i < COUNT; i++) {
    const name = `bench-${String(i).padStart(3, '0')}`
    const p = join(dir, name)
    mkdirSync(p, { recursive: true })
    const ext = ts ? 'ts' : 'js'
    writeFileSync(join(p, 'plugin.json'), JSON.stringify({ name, version: '1.0.0', apiVersion: 1, modules: [`index.${ext}`] }))
    writeFileSync(join(p, `index.${ext}`), ts ? TS_INDEX(i) : JS_INDEX(i))
    writeFileSync(join(p, `match.${ext}`), ts ? TS_MATCH : JS_MATCH)
    for (const f of readdirSync(p)) utimesSync(join(p, f), old, old)
  }
}

/** One cold publish into a new data dir, as `app plugins sync` does it: scan, compile (TypeScript), dry run, one generation. */
async function publish(plugins: string, dataDir: string, dryRun: boolean): Promise<number> {
  const store = await openWritableStore(dataDir)
  const validate = dryRun ? createDryRun({ dataDir, store, timeoutMs: 10_000 }) : undefined
  const t0 = performance.now()
  const r = await syncPlugins({
    store,
    sources: [createDirectorySource(plugins, { limits, settleMs: 0 })],
    validate,
    compile: createCompiler({ dataDir }),
  })
  const ms = performance.now() - t0
  await validate?.stop()
  await store.close()
  if (r.plugins !== COUNT || !r.changed) throw new Error(`published ${r.plugins} of ${COUNT} plugins`)
  return ms
}

const LOADER = `import { loadPlugins } from ${JSON.stringify(pathToFileURL(join(REPO, 'src/loader/create-plugin-host.ts')).href)}
import { openReadonlyStore } from ${JSON.stringify(pathToFileURL(join(REPO, 'src/store/open-store.ts')).href)}
const dataDir = process.argv[2]
const t0 = performance.now()
const store = await openReadonlyStore(dataDir)
const host = await loadPlugins({ generation: await store.currentGeneration(), store, dataDir, services: null, guardProcess: false })
const loadMs = performance.now() - t0
const failed = host.reports().filter((r) => r.status !== 'loaded').length
process.stdout.write(JSON.stringify({ ready: true, loadMs, n: host.queries.ids().length, failed }) + '\\n')
process.exit(0)
`

export async function run(): Promise<BenchResult[]> {
  const root = mkdtempSync(join(tmpdir(), 'app-bench-ts-'))
  try {
    const dirs = { js: join(root, 'plugins-js'), ts: join(root, 'plugins-ts') }
    writePlugins(dirs.js, false)
    writePlugins(dirs.ts, true)
    const data = { js: '', ts: '' }
    let n = 0
    const fresh = () => join(root, `data-${n++}`)
    // Warm-up: esbuild's service, the page cache, the dry-run thread's code.
    await publish(dirs.ts, fresh(), false)
    await publish(dirs.js, fresh(), false)

    const figures = { jsPublish: [] as number[], tsPublish: [] as number[], jsNoDry: [] as number[], tsNoDry: [] as number[] }
    for (let r = 0; r < 3; r++) {
      figures.jsNoDry.push(await publish(dirs.js, fresh(), false))
      figures.tsNoDry.push(await publish(dirs.ts, fresh(), false))
      figures.jsPublish.push(await publish(dirs.js, (data.js = fresh()), true))
      figures.tsPublish.push(await publish(dirs.ts, (data.ts = fresh()), true))
      process.stderr.write(
        `typescript publish run ${r + 1}: js ${figures.jsPublish.at(-1)!.toFixed(0)} ms, ts ${figures.tsPublish.at(-1)!.toFixed(0)} ms (without dry run: js ${figures.jsNoDry.at(-1)!.toFixed(0)}, ts ${figures.tsNoDry.at(-1)!.toFixed(0)})\n`,
      )
    }

    // Worker start and in-process load, warm cache (the first start after publish writes nothing: the dry run filled it).
    writeFileSync(join(root, 'loader.ts'), LOADER)
    const env = { APP_LOG_LEVEL: 'info', APP_CONCURRENCY: '1', APP_STORE_WAIT_MS: '0' }
    const start = { js: [] as number[], ts: [] as number[], jsLoad: [] as number[], tsLoad: [] as number[] }
    for (const kind of ['js', 'ts'] as const)
      await timeToReady([join(REPO, 'bin/app.js'), '--role=worker', '--data-dir', data[kind]], /worker started/, env)
    for (let r = 0; r < REPEAT; r++) {
      // Alternating order, so neither kind always runs on a just-warmed machine.
      for (const kind of r % 2 ? (['ts', 'js'] as const) : (['js', 'ts'] as const)) {
        start[kind].push(
          (await timeToReady([join(REPO, 'bin/app.js'), '--role=worker', '--data-dir', data[kind]], /worker started/, env)).ms,
        )
        const loaded = JSON.parse((await timeToReady([join(root, 'loader.ts'), data[kind]], /"ready"/)).line) as {
          loadMs: number
          n: number
          failed: number
        }
        if (loaded.n !== COUNT || loaded.failed) throw new Error(`${kind}: loaded ${loaded.n} filters, ${loaded.failed} plugins failed`)
        start[kind === 'js' ? 'jsLoad' : 'tsLoad'].push(loaded.loadMs)
      }
      process.stderr.write(
        `typescript worker run ${r + 1}: js ${start.js.at(-1)!.toFixed(0)} ms (load ${start.jsLoad.at(-1)!.toFixed(0)}), ts ${start.ts.at(-1)!.toFixed(0)} ms (load ${start.tsLoad.at(-1)!.toFixed(0)})\n`,
      )
    }
    const m = Object.fromEntries(Object.entries({ ...figures, ...start }).map(([k, v]) => [k, median(v)])) as Record<
      keyof typeof figures | keyof typeof start,
      number
    >
    return [
      {
        name: 'typescript.publish',
        what: `publish of ${COUNT} TypeScript plugins (decorator, enum, 2 modules): scan, compile, dry run, one generation; median of 3`,
        value: m.tsPublish,
        unit: 'ms',
        baseline: { what: `the same ${COUNT} plugins in JavaScript, same pass`, value: m.jsPublish },
        ratio: m.tsPublish / m.jsPublish,
        goal: '<= 1.5x',
        met: m.tsPublish / m.jsPublish <= 1.5,
      },
      {
        name: 'typescript.publish-no-dry-run',
        what: `publish of the ${COUNT} TypeScript plugins without the dry run (the compile step's share)`,
        value: m.tsNoDry,
        unit: 'ms',
        baseline: { what: 'the JavaScript ones without the dry run', value: m.jsNoDry },
        ratio: m.tsNoDry / m.jsNoDry,
      },
      {
        name: 'typescript.worker-start',
        what: `worker process with the ${COUNT} TypeScript plugins (compiled output, no compiler), warm cache: spawn to "worker started"; median of ${REPEAT}`,
        value: m.ts,
        unit: 'ms',
        baseline: { what: 'the same worker with the JavaScript ones', value: m.js },
        ratio: m.ts / m.js,
        goal: '<= 1.1x (equal within noise)',
        met: m.ts / m.js <= 1.1,
      },
      {
        name: 'typescript.load',
        what: `loading the ${COUNT} TypeScript plugins in a process (loadPlugins, warm cache; source maps read only when a stack needs one)`,
        value: m.tsLoad,
        unit: 'ms',
        baseline: { what: 'the JavaScript ones', value: m.jsLoad },
        ratio: m.tsLoad / m.jsLoad,
      },
    ]
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}
