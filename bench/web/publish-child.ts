// The scheduler's publish in its own process (bench/web.bench.ts): one syncPlugins pass over a plugins directory.
// No dry run: it runs in the scheduler's threads before the publish and takes no store lock; what readers
// feel is the write transaction and the new generation it makes visible.
import { createDirectorySource } from '../../src/sources/directory-source.ts'
import { syncPlugins } from '../../src/publish/sync-plugins.ts'
import { openWritableStore } from '../../src/store/open-store.ts'

const [dataDir, pluginsDir] = process.argv.slice(2)
const store = await openWritableStore(dataDir!)
const source = createDirectorySource(pluginsDir!, { limits: { maxBytes: 50 * 1024 * 1024, maxFiles: 10_000, maxDepth: 32 }, settleMs: 0 })
const t0 = performance.now()
const r = await syncPlugins({ store, sources: [source], reason: 'bench' })
process.stdout.write(`${JSON.stringify({ generation: r.generation, plugins: r.plugins, ms: performance.now() - t0 })}\n`)
await store.close()
