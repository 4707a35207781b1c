import { randomUUID } from 'node:crypto'
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire, registerHooks } from 'node:module'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { threadId } from 'node:worker_threads'
import { captureConsole } from './capture-console.ts'
import type { ModuleFormat } from './module-format.ts'
import type { PluginLog } from './plugin-log.ts'
import { addPluginRoot, callingPlugin, foreignCaller, logOfCaller, rootOf, sameLoad, type Root } from './plugin-roots.ts'
import { pluginContext } from './plugin-context.ts'
import { isTypeScript } from '../compile/build-paths.ts'
import { compiledSource, resolvePluginImport, tsFormat } from './plugin-imports.ts'
import { addPluginDir, installPluginStacks } from './stack-paths.ts'
import { addTestRoot, loadTestFile, resolveTestImport, testRootOf } from './test-roots.ts'

/**
 * `app/plugin` for plugin code, for `import` and `require` alike (Node 24
 * synchronous module hooks, installed once per thread). The importing file's
 * URL says which plugin root it lives in; each root maps to its own SDK
 * object, so every registration has an owner, even from a later callback.
 *
 * Isolation between plugins: no global lists the SDKs. Each SDK module's URL
 * carries a random id that only this file and that module know; a plugin
 * imports only app/plugin, Node built-ins and its own files; and a request
 * made while another plugin's code is on the stack (or in its async context),
 * such as createRequire(<A's file>)('app/plugin') called by plugin B, is refused.
 *
 * The same hooks keep plugin imports inside the plugin (the same result in
 * every install), and hand a TypeScript file's URL the JavaScript the
 * scheduler compiled for it at publish time: nothing compiles here.
 */

const SCHEME = 'app-plugin:'
const IDENT = /^[A-Za-z_$][\w$]*$/
/** SDK id -> the SDK object of one plugin load. Module-private: the only way in is claimSdk below. */
const sdks = new Map<string, Record<string, unknown>>()

/**
 * How an SDK module gets its SDK: the module the load hook made for id X
 * calls this with X. The ids are random (122 bits) and appear nowhere but in
 * those modules' URLs, which only the resolve hook hands out, each to the
 * plugin whose files import app/plugin; asking with anything else gets
 * nothing. (The property name is random per process too.)
 */
const CLAIM = `__appPluginSdk${randomUUID().replace(/-/g, '')}`
function claimSdk(id: unknown): Record<string, unknown> {
  const sdk = typeof id === 'string' ? sdks.get(id) : undefined
  if (!sdk) throw new Error('app/plugin: an SDK is handed only to the plugin that imports app/plugin from its own files')
  return sdk
}
Object.defineProperty(globalThis, CLAIM, { value: claimSdk, enumerable: false, writable: false, configurable: false })

/**
 * Module format of each plugin file ("<bundle sha256>/<path>" -> format), one
 * file per cache directory: a warm start reads it once instead of probing the
 * syntax of every .js file. Derived from content, so it can only be missing.
 */
interface FormatIndex {
  entries: Record<string, ModuleFormat>
  changed: boolean
}
const formatIndexes = new Map<string, FormatIndex>()
const FORMATS_FILE = 'formats.json'

let installed = false

const refused = (plugin: string, what: string) =>
  new Error(
    `plugin "${plugin}" ${what}: refused. A plugin imports only app/plugin (its own SDK), Node built-ins and its own files (bundle a dependency into the plugin's folder).`,
  )

/** One source text for every plugin's SDK module (it reads its id from its own URL), so V8 compiles it once. */
const esmSources = new Map<string, string>()
function esmSource(keys: string[]): string {
  const names = keys.filter((k) => IDENT.test(k) && k !== 'default')
  const key = names.join(',')
  let source = esmSources.get(key)
  if (!source) {
    source = `const sdk = globalThis.${CLAIM}(new URL(import.meta.url).searchParams.get('id'))\nexport default sdk\nexport const { ${names.join(', ')} } = sdk\n`
    esmSources.set(key, source)
  }
  return source
}

/** The CommonJS SDK module takes itself out of require.cache and its importer's children, where other code could find the SDK. */
const cjsSource = (id: string) => `module.exports = globalThis.${CLAIM}(${JSON.stringify(id)})
delete require.cache[module.id]
{ const p = module.parent; const i = p && p.children ? p.children.indexOf(module) : -1; if (i >= 0) p.children.splice(i, 1) }
`

function resolveSdk(root: Root, context: { parentURL?: string; conditions?: readonly string[] }) {
  const other = foreignCaller(root.plugin)
  if (other) throw refused(other, `asked for app/plugin as if from a file of plugin "${root.plugin}" (${context.parentURL})`)
  const format = context.conditions?.includes('require') ? 'commonjs' : 'module'
  return { url: `${SCHEME}sdk?id=${root.sdkId}&format=${format}`, format, shortCircuit: true }
}

function install(): void {
  if (installed) return
  installed = true
  captureConsole(logOfCaller)
  installPluginStacks()
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const parent = rootOf(context.parentURL)
      // Only this hook makes SDK URLs: asking for one by name is asking for another plugin's SDK.
      if (specifier.startsWith(SCHEME))
        throw refused(callingPlugin() ?? parent?.plugin ?? '(unknown)', `imported "${specifier.slice(0, 80)}", the host's own module URL`)
      const test = parent ? undefined : testRootOf(context.parentURL)
      if (test)
        return resolveTestImport(
          test,
          specifier,
          context.parentURL!,
          (s) => nextResolve(s, context),
          context.conditions?.includes('require') ? 'commonjs' : 'module',
        )
      if (specifier === 'app/plugin') {
        if (parent) return resolveSdk(parent, context)
        const asking = callingPlugin()
        if (asking) throw refused(asking, `asked for app/plugin from outside its own files (${context.parentURL ?? 'no importing file'})`)
        return nextResolve(specifier, context) // the stub that says app/plugin is for plugin code
      }
      if (parent) {
        // Another plugin's code running (its context) asks as if from this plugin's file: only app/plugin above needs the stack too.
        const ctx = pluginContext.getStore()
        if (ctx && ctx.plugin !== parent.plugin)
          throw refused(ctx.plugin, `imported "${specifier}" as if from a file of plugin "${parent.plugin}" (${context.parentURL})`)
      }
      // Inside a plugin: Node's rules plus TypeScript's, refused outside the plugin the same way in every install.
      const resolved = parent
        ? resolvePluginImport(parent, specifier, context.parentURL!, (s) => nextResolve(s, context))
        : nextResolve(specifier, context)
      if (parent && !resolved.url.startsWith('node:') && !sameLoad(rootOf(resolved.url), parent)) {
        throw refused(
          parent.plugin,
          `imports "${specifier}" from ${context.parentURL}, which resolves to ${resolved.url}, outside its own folder`,
        )
      }
      if (!parent) {
        // A file of some plugin asked for from elsewhere (createRequire, vm) while another plugin's code runs. The
        // context decides, without the stack: this is also how the loader imports every plugin, and what such a
        // file would get, app/plugin, is checked with the stack above.
        const target = rootOf(resolved.url)
        const ctx = target ? pluginContext.getStore() : undefined
        if (ctx && ctx.plugin !== target!.plugin)
          throw refused(ctx.plugin, `imported ${resolved.url}, a file of plugin "${target!.plugin}"`)
      }
      // A plugin loaded again in this thread gets fresh module instances: its ?load=N follows its relative imports.
      const q = context.parentURL?.indexOf('?load=') ?? -1
      if (q > 0 && !resolved.url.includes('?') && parent && sameLoad(rootOf(resolved.url), parent))
        return { ...resolved, url: resolved.url + context.parentURL!.slice(q) }
      return resolved
    },
    load(url, context, nextLoad) {
      if (url.startsWith(SCHEME)) {
        const params = new URL(url).searchParams
        const id = params.get('id') ?? ''
        const sdk = sdks.get(id)
        if (!sdk) throw new Error('app/plugin: no such SDK in this thread')
        if (params.get('format') === 'commonjs') return { format: 'commonjs', source: cjsSource(id), shortCircuit: true }
        return { format: 'module', source: esmSource(Object.keys(sdk)), shortCircuit: true }
      }
      const test = testRootOf(url)
      const compiled = test && loadTestFile(test, url)
      if (compiled) return { ...compiled, shortCircuit: true }
      const root = rootOf(url)
      if (root) {
        const file = fileURLToPath(url)
        const ts = isTypeScript(file)
        if (ts || /\.(c|m)?js$/.test(file)) {
          const rel = file.slice(root.dir.length + 1)
          const source = ts ? compiledSource(root, rel) : readFileSync(file)
          const index = formatIndexOf(root.cacheDir)
          const key = `${root.name}/${rel}`
          let format = index.entries[key]
          if (!format) {
            format = tsFormat(file, root.dir, source)
            index.entries[key] = format
            index.changed = true
          }
          return { format, source, shortCircuit: true }
        }
      }
      return nextLoad(url, context)
    },
  })
}

/**
 * Binds a plugin root to the SDK its code gets (and the logger its console
 * calls go to); returns the URL to import each module with. Loading the same
 * root again in this thread drops its CommonJS cache and uses a new ?load=N,
 * so its modules run again.
 */
export function bindPluginRoot(
  cacheDir: string,
  dir: string,
  plugin: string,
  sdk: Record<string, unknown>,
  log: PluginLog | null = null,
): { moduleUrl(path: string): string } {
  install()
  const sdkId = randomUUID()
  sdks.set(sdkId, sdk)
  const { href, previous, loads, realDir } = addPluginRoot(cacheDir, dir, { name: basename(dir.replace(/\/$/, '')), sdkId, plugin, log })
  addPluginDir(cacheDir, basename(dir.replace(/\/$/, '')), plugin)
  if (previous) {
    const cache = createRequire(import.meta.url).cache
    const dirs = [previous.dir, realDir(previous.dir)].map((d) => `${d}/`)
    for (const key of Object.keys(cache)) if (dirs.some((d) => key.startsWith(d))) delete cache[key]
  }
  const search = loads > 1 ? `?load=${loads}` : ''
  return { moduleUrl: (path) => new URL(path, href).href + search }
}

/**
 * A plugin folder whose test files `app plugin test` runs in this thread:
 * they import `testing` as `app/plugin/testing`, and their TypeScript (and
 * the plugin's) as compiled for the run. See test-roots.ts.
 */
export function bindTestRoot(dir: string, plugin: string, testing: Record<string, unknown>, compiled: Map<string, Buffer>): void {
  install()
  const id = randomUUID()
  sdks.set(id, testing)
  addTestRoot(dir, plugin, compiled, id)
}

function formatIndexOf(cacheDir: string): FormatIndex {
  let index = formatIndexes.get(cacheDir)
  if (!index) {
    let entries: Record<string, ModuleFormat> = {}
    try {
      const parsed = JSON.parse(readFileSync(join(cacheDir, FORMATS_FILE), 'utf8')) as unknown
      if (typeof parsed === 'object' && parsed !== null) entries = parsed as Record<string, ModuleFormat>
    } catch {
      /* none yet, or unreadable: detect again */
    }
    index = { entries, changed: false }
    formatIndexes.set(cacheDir, index)
  }
  return index
}

/** Writes what this thread detected, for the next process (best effort: the cache is disposable). */
export function saveModuleFormats(cacheDir: string): void {
  const index = formatIndexes.get(cacheDir)
  if (!index?.changed) return
  index.changed = false
  const file = join(cacheDir, FORMATS_FILE)
  const tmp = `${file}.${process.pid}-${threadId}.tmp`
  try {
    // Another process may have added entries since we read it: keep theirs too.
    let theirs: Record<string, ModuleFormat> = {}
    try {
      theirs = JSON.parse(readFileSync(file, 'utf8')) as Record<string, ModuleFormat>
    } catch {
      /* none */
    }
    writeFileSync(tmp, JSON.stringify({ ...theirs, ...index.entries }))
    renameSync(tmp, file)
  } catch {
    /* read-only or full disk: detect again next time */
  }
}
