import { fileURLToPath, pathToFileURL } from 'node:url'
import type { ResolveFnOutput } from 'node:module'
import { isTypeScript } from '../compile/build-paths.ts'
import { resolvePluginImport, tsFormat, type PluginRoot } from './plugin-imports.ts'

/**
 * The folders whose test files `app plugin test` runs (a plugin author's own
 * folder, not the cache): their files import `app/plugin/testing` (the test
 * host) and their own files, TypeScript ones handed the JavaScript compiled
 * for this run, the way the scheduler compiles plugins. They do not get
 * `app/plugin`: the SDK belongs to the plugin the test host loads.
 */
export interface TestRoot extends PluginRoot {
  /** Plugin path of each TypeScript file -> its compiled JavaScript (source map inline). */
  compiled: Map<string, Buffer>
  /** The SDK id (module-hooks' table) of the `app/plugin/testing` object its files get. */
  testingId: string
}

const roots = new Map<string, TestRoot>()

export function addTestRoot(dir: string, plugin: string, compiled: Map<string, Buffer>, testingId: string): void {
  const trimmed = dir.replace(/\/+$/, '')
  const href = pathToFileURL(trimmed).href.replace(/\/?$/, '/')
  roots.set(href, { dir: trimmed, href, plugin, compiled, testingId })
}

export function testRootOf(url: string | undefined): TestRoot | undefined {
  if (!url?.startsWith('file:')) return undefined
  for (const [href, root] of roots) if (url.startsWith(href)) return root
  return undefined
}

/** An import from a test file: app/plugin/testing, Node built-ins and the plugin's own files, as plugin code may. */
export function resolveTestImport(
  root: TestRoot,
  specifier: string,
  parentURL: string,
  next: (s: string) => ResolveFnOutput,
  format: 'module' | 'commonjs',
): ResolveFnOutput {
  if (specifier === 'app/plugin/testing') return { url: `app-plugin:sdk?id=${root.testingId}&format=${format}`, format, shortCircuit: true }
  if (specifier === 'app/plugin') {
    const from = fileURLToPath(parentURL.replace(/\?.*$/, '')).slice(root.dir.length + 1)
    throw new Error(
      `${root.plugin}/${from} imports app/plugin, which the host hands only to the plugin it loads. A test loads the plugin with createTestHost() from 'app/plugin/testing' and drives it through the host (host.runBot, host.runDueJobs, host.fireHook, host.request); a test that imports a module of the plugin imports one that does not use app/plugin. Types only: \`import type { Resource } from 'app/plugin'\`.`,
    )
  }
  return resolvePluginImport(root, specifier, parentURL, next)
}

/** A test folder's TypeScript file: the JavaScript compiled for this run; null for anything else (Node loads it). */
export function loadTestFile(root: TestRoot, url: string): { format: 'module' | 'commonjs'; source: Buffer } | null {
  const file = fileURLToPath(url.replace(/\?.*$/, ''))
  if (!isTypeScript(file)) return null
  const rel = file.slice(root.dir.length + 1)
  const source = root.compiled.get(rel)
  if (!source)
    throw new Error(
      `${root.plugin}/${rel} was not compiled for this test run (it is not a file of the plugin folder app plugin test compiled, or it was added after the run started); run app plugin test again.`,
    )
  return { format: tsFormat(file, root.dir, source) as 'module' | 'commonjs', source }
}
