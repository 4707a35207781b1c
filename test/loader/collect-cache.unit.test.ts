// data/cache garbage collection on real files, a real plugins.db and a real process registry in runtime.db.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { sha256 } from '../../src/bundle/hash-bundle.ts'
import { collectCache } from '../../src/loader/collect-cache.ts'
import { cacheDirOf, materializeBundle } from '../../src/loader/materialize-bundle.ts'
import { openRuntimeDb } from '../../src/runtime/open-runtime.ts'
import { listProcesses, registerProcess } from '../../src/runtime/process-registry.ts'
import { openWritableStore } from '../../src/store/open-store.ts'
import type { NewVersion } from '../../src/store/store-types.ts'
import { tempDir } from '../helpers/cli.ts'
import { newVersion } from '../store/store-test-versions.ts'

async function setup(t: Parameters<typeof tempDir>[0]) {
  const data = tempDir(t)
  const store = await openWritableStore(data)
  const runtime = openRuntimeDb(data)
  t.onTestFinished(async () => {
    runtime.close()
    await store.close()
  })
  const cache = cacheDirOf(data)
  /** Publishes the versions as the new generation and materializes them, as a role loading it would. */
  const publish = async (versions: NewVersion[], keepGenerations = 50) => {
    const { generation } = await store.publish(
      { reason: 'test', entries: versions.map((v) => ({ name: v.name, version: v })), notices: [] },
      { keepGenerations },
    )
    for (const v of versions) await materializeBundle(cache, v.bundle, (sha) => store.blob(sha))
    return generation!
  }
  const collect = async () => collectCache({ dataDir: data, store, processes: await listProcesses(runtime) })
  return { data, store, runtime, cache, publish, collect }
}

/** The pid of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!

test('removes bundles no kept generation needs and temp dirs whose writer is gone; keeps the rest', async (t) => {
  const s = await setup(t)
  const alpha = newVersion('alpha', '1.0.0', { 'index.js': 'export function load() {}' })
  await s.publish([alpha])
  // A dry-run candidate whose publish failed: in the cache, named by no generation.
  const candidate = newVersion('big', '1.0.0', { 'index.js': 'export function load() {}', 'data.bin': Buffer.alloc(64 * 1024, 1) })
  await materializeBundle(s.cache, candidate.bundle, async (sha) => candidate.blobs.get(sha)!)
  const tmp = (pid: number) => {
    const dir = join(s.cache, `.tmp-${sha256(String(pid)).slice(0, 12)}-${pid}-0-abcdef`)
    mkdirSync(dir)
    writeFileSync(join(dir, 'index.js'), 'half written')
    return dir
  }
  const dead = tmp(deadPid())
  const mine = tmp(process.pid)
  const stale = join(s.cache, `.tmp-${'0'.repeat(12)}-${process.pid}-1-zzzzzz`)
  mkdirSync(stale)
  utimesSync(stale, new Date(Date.now() - 11 * 60_000), new Date(Date.now() - 11 * 60_000))

  const result = await s.collect()
  assert.ok(existsSync(join(s.cache, alpha.bundle.sha256)), 'the current generation keeps its bundle')
  assert.ok(!existsSync(join(s.cache, candidate.bundle.sha256)), 'the never-published candidate is gone')
  assert.ok(!existsSync(dead), "a dead writer's temp dir is gone")
  assert.ok(existsSync(mine), "a running writer's temp dir stays")
  assert.ok(!existsSync(stale), 'a temp dir older than 10 minutes is gone')
  assert.ok(existsSync(join(s.cache, 'package.json')))
  assert.equal(result.kept, 1)
  assert.ok(result.freedBytes >= 64 * 1024, `freed ${result.freedBytes}`)
})

test('an old generation keeps its bundles while kept; a live process on a pruned generation keeps every bundle until it stops', async (t) => {
  const s = await setup(t)
  const v1 = newVersion('alpha', '1.0.0', { 'index.js': 'export function load() { return 1 }' })
  const v2 = newVersion('alpha', '2.0.0', { 'index.js': 'export function load() { return 2 }' })
  const v3 = newVersion('alpha', '3.0.0', { 'index.js': 'export function load() { return 3 }' })
  const g1 = await s.publish([v1])
  const worker = registerProcess(s.runtime, 'worker')
  t.onTestFinished(() => worker.stop().catch(() => {}))
  await worker.setGeneration(g1)

  await s.publish([v2], 2) // generations 1 and 2 kept
  await s.collect()
  assert.ok(existsSync(join(s.cache, v1.bundle.sha256)), 'generation 1 is still kept: its bundle stays')

  await s.publish([v3], 2) // generation 1 pruned, and the worker still runs it
  const held = await s.collect()
  assert.match(held.keptAllBecause ?? '', /worker pid \d+ .* runs generation 1, which the store no longer keeps/)
  assert.ok(existsSync(join(s.cache, v1.bundle.sha256)), 'a bundle a running process may use is never removed')

  await worker.stop()
  const freed = await s.collect()
  assert.equal(freed.keptAllBecause, null)
  assert.ok(!existsSync(join(s.cache, v1.bundle.sha256)), 'removed once no live process runs it')
  assert.ok(existsSync(join(s.cache, v2.bundle.sha256)) && existsSync(join(s.cache, v3.bundle.sha256)))
})

test('a process still loading (no generation recorded) that started before the oldest kept generation keeps every bundle', async (t) => {
  const s = await setup(t)
  const v1 = newVersion('alpha', '1.0.0', { 'index.js': 'export function load() { return 1 }' })
  const v2 = newVersion('alpha', '2.0.0', { 'index.js': 'export function load() { return 2 }' })
  await s.publish([v1])
  const loading = registerProcess(s.runtime, 'web')
  t.onTestFinished(() => loading.stop().catch(() => {}))
  await new Promise((r) => setTimeout(r, 5)) // the next generation is created after the process started
  await s.publish([v2], 1)
  assert.ok((await s.collect()).keptAllBecause)
  assert.ok(existsSync(join(s.cache, v1.bundle.sha256)))
})
