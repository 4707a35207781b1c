// Publish benchmark (issue 2): 1,000 plugins of 10 files x 4 KiB.
// Baseline, same run: read and sha256 every file of the same tree, synchronously (the fastest plain way here).
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogger } from '../src/log/create-logger.ts'
import { createSyncLoop } from '../src/publish/create-sync-loop.ts'
import { syncPlugins } from '../src/publish/sync-plugins.ts'
import { createDirectorySource } from '../src/sources/directory-source.ts'
import { openReadonlyStore, openWritableStore } from '../src/store/open-store.ts'
import Database from 'better-sqlite3'
import type { BenchResult } from './bench-types.ts'

const PLUGINS = 1000
const FILES = 10
const limits = { maxBytes: 50 * 1024 * 1024, maxFiles: 10_000, maxDepth: 32 }

function makeTree(root: string) {
  const old = new Date(Date.now() - 60_000) // settled files, as on a real install
  for (let p = 0; p < PLUGINS; p++) {
    const dir = join(root, `plugin-${p}`)
    mkdirSync(dir, { recursive: true })
    writeFileSync(
      join(dir, 'plugin.json'),
      JSON.stringify({ name: `plugin-${p}`, version: '1.0.0', apiVersion: 1, modules: ['index.js'] }).padEnd(4096, ' '),
    )
    writeFileSync(join(dir, 'index.js'), `export function load() {}\n//${'x'.repeat(4060)}${p}\n`)
    for (let f = 2; f < FILES; f++) writeFileSync(join(dir, `f${f}.txt`), `${p}-${f}-`.padEnd(4096, 'y'))
    for (const f of readdirSync(dir)) utimesSync(join(dir, f), old, old)
  }
}

async function hashTree(root: string): Promise<number> {
  let n = 0
  for (const p of readdirSync(root)) {
    for (const f of readdirSync(join(root, p))) {
      createHash('sha256')
        .update(readFileSync(join(root, p, f)))
        .digest('hex')
      n++
    }
  }
  return n
}

function rawSqlitePublish(root: string, file: string) {
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, sha256 TEXT UNIQUE, data BLOB)')
  const insert = db.prepare('INSERT OR IGNORE INTO blobs (sha256, data) VALUES (?, ?)')
  db.transaction(() => {
    for (const p of readdirSync(root)) {
      for (const f of readdirSync(join(root, p))) {
        const data = readFileSync(join(root, p, f))
        insert.run(createHash('sha256').update(data).digest('hex'), data)
      }
    }
  })()
  db.close()
}

const time = async <T>(fn: () => Promise<T>): Promise<[number, T]> => {
  const t0 = performance.now()
  const r = await fn()
  return [performance.now() - t0, r]
}

export async function run(): Promise<BenchResult[]> {
  const root = mkdtempSync(join(tmpdir(), 'app-bench-publish-'))
  try {
    const plugins = join(root, 'plugins')
    process.stderr.write(`writing ${PLUGINS} plugins x ${FILES} files x 4 KiB...\n`)
    makeTree(plugins)
    await hashTree(plugins) // warm the page cache for both contenders alike
    const [baselineMs, files] = await time(() => hashTree(plugins))
    process.stderr.write(`baseline: read + sha256 of ${files} files: ${baselineMs.toFixed(0)} ms\n`)

    // Second baseline: the same reads and hashes plus a plain SQLite insert of every file in one transaction.
    const [rawMs] = await time(async () => rawSqlitePublish(plugins, join(root, 'raw.db')))
    process.stderr.write(`baseline: read + sha256 + raw SQLite insert: ${rawMs.toFixed(0)} ms\n`)

    const store = await openWritableStore(join(root, 'data'))
    const source = createDirectorySource(plugins, { limits, settleMs: 500 })
    const [coldMs, cold] = await time(() => syncPlugins({ store, sources: [source] }))
    if (cold.plugins !== PLUGINS || !cold.changed) throw new Error(`cold publish published ${cold.plugins} plugins`)
    process.stderr.write(`cold publish: ${coldMs.toFixed(0)} ms\n`)

    const rescans: number[] = []
    for (let i = 0; i < 5; i++) {
      const [ms, r] = await time(() => syncPlugins({ store, sources: [source] }))
      if (r.changed) throw new Error('an unchanged rescan published a generation')
      rescans.push(ms)
    }
    const rescanMs = rescans.sort((a, b) => a - b)[2]!
    process.stderr.write(`unchanged rescan (median of 5): ${rescanMs.toFixed(1)} ms\n`)

    // Change one file with the watcher running; a read-only reader polls for the new generation.
    const settleMs = 500
    const logger = createLogger({ level: 'silent' })
    const loop = createSyncLoop({ store, sources: [source], logger })
    const unwatch = await source.watch!(() => loop.schedule(settleMs))
    const reader = await openReadonlyStore(join(root, 'data'))
    const latencies: number[] = []
    for (let i = 0; i < 3; i++) {
      const before = await reader.currentGenerationId()
      const t0 = performance.now()
      writeFileSync(join(plugins, 'plugin-7', 'f5.txt'), `changed ${i}`.padEnd(4096, 'z'))
      while ((await reader.currentGenerationId()) === before) await new Promise((r) => setTimeout(r, 2))
      latencies.push(performance.now() - t0)
    }
    await unwatch()
    await loop.stop()
    await reader.close()
    await store.close()
    const latencyMs = latencies.sort((a, b) => a - b)[1]!
    process.stderr.write(
      `change to visible (median of 3): ${latencyMs.toFixed(0)} ms, of which the settle delay is ${settleMs} ms debounce + up to ${settleMs} ms mtime settle\n`,
    )

    return [
      {
        name: 'publish.cold',
        what: `cold publish, ${PLUGINS} plugins x ${FILES} files x 4 KiB (no dry run)`,
        value: coldMs,
        unit: 'ms',
        baseline: { what: 'read + sha256 the same files', value: baselineMs },
        ratio: coldMs / baselineMs,
        goal: '<= 2x',
        met: coldMs / baselineMs <= 2,
      },
      {
        name: 'publish.cold-vs-sqlite',
        what: 'cold publish, same tree',
        value: coldMs,
        unit: 'ms',
        baseline: { what: 'read + sha256 + raw SQLite insert (WAL, synchronous=FULL, one transaction)', value: rawMs },
        ratio: coldMs / rawMs,
      },
      {
        name: 'publish.rescan',
        what: 'unchanged rescan of the same tree',
        value: rescanMs,
        unit: 'ms',
        baseline: { what: 'read + sha256 the same files', value: baselineMs },
        ratio: rescanMs / baselineMs,
        goal: '< 250 ms',
        met: rescanMs < 250,
      },
      {
        name: 'publish.visible',
        what: `one file changed -> new generation visible to a reader (settleMs ${settleMs})`,
        value: latencyMs,
        unit: 'ms',
        baseline: { what: 'settle delay alone', value: settleMs },
        ratio: latencyMs / settleMs,
        notes: 'the watcher waits settleMs after the last event, then the scan waits until no file is younger than settleMs',
      },
    ]
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}
