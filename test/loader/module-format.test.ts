import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { installWith, loadCurrent, publish } from './loader-helpers.ts'

test('ESM and CommonJS plugins import app/plugin; the format is decided by the plugin folder alone, never the package.json above the data dir', async (t) => {
  const { root, dataDir } = installWith(t, ['fmt-esm-detected', 'fmt-cjs-js', 'fmt-package-type'])
  await publish(root)
  const { host } = await loadCurrent(t, dataDir)
  assert.deepEqual(
    host.reports().map((r) => [r.plugin, r.status, r.warnings.map((w) => w.message)]),
    [
      ['fmt-cjs-js', 'loaded', []],
      ['fmt-esm-detected', 'loaded', []],
      ['fmt-package-type', 'loaded', []],
    ],
  )
  // Each registration is owned by the plugin whose code made it.
  assert.equal(host.queries.get('fixture.fmt.esm_detected')?.plugin, 'fmt-esm-detected')
  assert.equal(host.queries.get('fixture.fmt.esm_detected')?.name, 'ESM by detection')
  assert.equal(host.actions.get('fixture.fmt.cjs_js')?.plugin, 'fmt-cjs-js')
  assert.equal(host.actions.get('fixture.fmt.cjs_js')?.name, 'CommonJS .js')
  assert.equal(host.queries.get('fixture.fmt.package_type_cjs')?.plugin, 'fmt-package-type')
  const job = host.eventTypes.get('fixture.fmt.package_type')
  assert.equal(job?.plugin, 'fmt-package-type')
  const payload: Record<string, unknown> = {}
  await job!.run({
    event: { id: 1, eventType: 'fixture.fmt.package_type', description: null, bot: null, payload, attempt: 1 },
    resources: [],
    log: console as never,
    signal: new AbortController().signal,
  })
  assert.equal(payload.seen, 'from .mjs')

  // Bundles are materialized read-only under data/cache/<sha256>/, next to a package.json that keeps the host's "type" out.
  for (const p of host.plugins()) {
    assert.equal(p.dir, join(dataDir, 'cache', p.sha256))
    assert.ok(existsSync(join(p.dir, 'plugin.json')))
  }
  assert.match(readFileSync(join(dataDir, 'cache', 'package.json'), 'utf8'), /"type": "commonjs"/)
})

test('a plugin module that imports app/plugin outside the host gets a clear error', async () => {
  await assert.rejects(import('app/plugin'), /app\/plugin is provided by the app host at load time/)
})
