import { run } from 'node:test'
import { spec } from 'node:test/reporters'
import { join } from 'node:path'
import { finished } from 'node:stream/promises'
import { bindTestRoot } from '../loader/module-hooks.ts'
import type { Warning } from '../store/store-types.ts'
import { compileTestFiles, pluginFiles, pluginNameOf, TEST_FILE } from './compile-test-files.ts'
import { createTestHost, type TestHostOptions } from './create-test-host.ts'
import { closeOpenHosts } from './open-hosts.ts'

export interface PluginTestResult {
  plugin: string
  files: string[]
  /** Names of the tests that failed ("suite > test"), in the order they failed. */
  failed: string[]
  /** node:test's own verdict on the whole run (a file that failed to load, a hook that threw). */
  ok: boolean
  /** The TypeScript did not compile (or imports what a plugin may not): nothing ran. */
  compileWarnings: Warning[]
  /** Test hosts the tests left open, closed after the run. */
  leftOpen: number
}

interface TestEvent {
  name: string
  nesting: number
  details?: { type?: string }
  todo?: unknown
  skip?: unknown
}

/**
 * `app plugin test <dir>` in this process: the plugin's `*.test.*` files
 * (TypeScript compiled the scheduler's way) run by node:test's run() with no
 * process isolation, so `app/plugin/testing` resolves (module hooks) to this
 * executable's test host, with no `node` on the PATH. Output is node:test's
 * own spec reporter, written to `out`.
 */
export async function runPluginTests(
  dir: string,
  options: { namePatterns?: string[]; tmpDir: string; out: NodeJS.WritableStream },
): Promise<PluginTestResult> {
  const all = pluginFiles(dir)
  const files = all.filter((p) => TEST_FILE.test(p))
  const plugin = pluginNameOf(dir, all)
  const result: PluginTestResult = { plugin, files, failed: [], ok: true, compileWarnings: [], leftOpen: 0 }
  if (!files.length) return result
  const { compiled, warnings } = await compileTestFiles(dir, plugin, all, options.tmpDir)
  if (warnings.length) return { ...result, compileWarnings: warnings }
  bindTestRoot(dir, plugin, { createTestHost: (o: TestHostOptions = {}) => createTestHost({ plugin: dir, ...o }) }, compiled)

  const stream = run({ files: files.map((f) => join(dir, f)), isolation: 'none', testNamePatterns: options.namePatterns })
  // "suite > test", as node:test's own summary nests them.
  const path: string[] = []
  stream.on('test:start', (t: TestEvent) => {
    path[t.nesting] = t.name
  })
  stream.on('test:fail', (t: TestEvent) => {
    if (t.todo || t.details?.type === 'suite') return
    result.failed.push([...path.slice(0, t.nesting), t.name].join(' > '))
  })
  // The run's own summary (no file: the whole run) has the last word, whatever was named above.
  stream.on('test:summary', (s: { file?: string; success: boolean }) => {
    if (s.file === undefined && !s.success) result.ok = false
  })
  const output = stream.compose(spec)
  output.pipe(options.out, { end: false })
  await finished(output)
  result.leftOpen = await closeOpenHosts()
  if (!result.ok && !result.failed.length) result.failed.push('(the run, as the output above says)')
  if (result.failed.length) result.ok = false
  return result
}
