import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire, registerHooks } from 'node:module'
import { basename, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { threadId } from 'node:worker_threads'
import { isTypeScript } from '../compile/build-paths.ts'
import { moduleFormat, type ModuleFormat } from './module-format.ts'
import { compiledSource, resolvePluginImport, tsFormat } from './plugin-imports.ts'
import { addPluginDir, installPluginStacks } from './stack-paths.ts'

/**
 * `app/plugin` for plugin code, for `import` and `require` alike (Node 24
 * synchronous module hooks, installed once per thread). The importing file's
 * URL says which plugin root it lives in; each root maps to its own SDK
 * object, so every registration has an owner, even from a later callback.
 * The same hooks keep plugin imports inside the plugin (the same result in
 * every install), and hand a TypeScript file's URL the JavaScript the
 * scheduler compiled for it at publish time: nothing compiles here.
 */

const SDK_GLOBAL = Symbol.for('app.plugin.sdk')
const sdks: Map<number, Record<string, unknown>> = ((globalThis as Record<symbol, unknown>)[SDK_GLOBAL] ??= new Map()) as Map<number, Record<string, unknown>>
const SCHEME = 'app-plugin:'
const IDENT = /^[A-Za-z_$][\w$]*$/

interface Root { dir: string; href: string; name: string; cacheDir: string; sdkId: number; plugin: string; loads: number }

/**
 * Module format of each plugin file ("<bundle sha256>/<path>" -> format), one
 * file per cache directory: a warm start reads it once instead of probing the
 * syntax of every .js file. Derived from content, so it can only be missing.
 */
interface FormatIndex { entries: Record<string, ModuleFormat>; changed: boolean }
const formatIndexes = new Map<string, FormatIndex>()
const FORMATS_FILE = 'formats.json'

/** file URL of a plugin root with a trailing slash -> the SDK its code gets now. */
const roots = new Map<string, Root>()
/** file URLs (trailing slash) of the cache directories that hold plugin roots. */
const cacheDirs = new Set<string>()
const cachePaths = new Set<string>()
let nextSdkId = 1
let installed = false

function rootOf(url: string | undefined): Root | undefined {
  if (!url?.startsWith('file:')) return undefined
  for (const cache of cacheDirs) {
    if (!url.startsWith(cache)) continue
    const slash = url.indexOf('/', cache.length)
    if (slash > 0) return roots.get(url.slice(0, slash + 1))
  }
  return undefined
}

/** One source text for every plugin's SDK module (it reads its id from its own URL), so V8 compiles it once. */
const esmSources = new Map<string, string>()
function esmSource(keys: string[]): string {
  const names = keys.filter((k) => IDENT.test(k) && k !== 'default')
  const key = names.join(',')
  let source = esmSources.get(key)
  if (!source) {
    source = `const sdk = globalThis[Symbol.for('app.plugin.sdk')].get(Number(new URL(import.meta.url).searchParams.get('id')))\nexport default sdk\nexport const { ${names.join(', ')} } = sdk\n`
    esmSources.set(key, source)
  }
  return source
}

function install(): void {
  if (installed) return
  installed = true
  installPluginStacks()
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const root = rootOf(context.parentURL)
      if (!root) return nextResolve(specifier, context)
      if (specifier === 'app/plugin') {
        const format = context.conditions?.includes('require') ? 'commonjs' : 'module'
        return { url: `${SCHEME}sdk?id=${root.sdkId}&format=${format}`, format, shortCircuit: true }
      }
      const resolved = resolvePluginImport(root, specifier, context.parentURL!, (s) => nextResolve(s, context))
      // A plugin loaded again in this thread gets fresh module instances: its ?load=N follows its relative imports.
      const q = context.parentURL!.indexOf('?load=')
      if (q > 0 && !resolved.url.includes('?') && rootOf(resolved.url) === root) return { ...resolved, url: resolved.url + context.parentURL!.slice(q) }
      return resolved
    },
    load(url, context, nextLoad) {
      if (url.startsWith(SCHEME)) {
        const params = new URL(url).searchParams
        const id = Number(params.get('id'))
        const sdk = sdks.get(id)
        if (!sdk) throw new Error(`app/plugin: no SDK ${id} in this thread`)
        if (params.get('format') === 'commonjs') return { format: 'commonjs', source: `module.exports = globalThis[Symbol.for('app.plugin.sdk')].get(${id})`, shortCircuit: true }
        return { format: 'module', source: esmSource(Object.keys(sdk)), shortCircuit: true }
      }
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
 * Binds a plugin root to the SDK its code gets; returns the URL to import
 * each module with. Loading the same root again in this thread drops its
 * CommonJS cache and uses a new ?load=N, so its modules run again.
 */
export function bindPluginRoot(cacheDir: string, dir: string, plugin: string, sdk: Record<string, unknown>): { moduleUrl(path: string): string } {
  install()
  if (!cachePaths.has(cacheDir)) {
    cachePaths.add(cacheDir)
    cacheDirs.add(pathToFileURL(cacheDir).href.replace(/\/?$/, '/'))
  }
  const href = pathToFileURL(dir).href.replace(/\/?$/, '/')
  const sdkId = nextSdkId++
  sdks.set(sdkId, sdk)
  const previous = roots.get(href)
  const loads = (previous?.loads ?? 0) + 1
  const trimmed = dir.replace(/\/$/, '')
  roots.set(href, { dir: trimmed, href, name: basename(trimmed), cacheDir, sdkId, plugin, loads })
  addPluginDir(cacheDir, basename(trimmed), plugin)
  if (previous) {
    const cache = createRequire(import.meta.url).cache
    for (const key of Object.keys(cache)) if (key.startsWith(previous.dir + '/')) delete cache[key]
  }
  const search = loads > 1 ? `?load=${loads}` : ''
  return { moduleUrl: (path) => new URL(path, href).href + search }
}

function formatIndexOf(cacheDir: string): FormatIndex {
  let index = formatIndexes.get(cacheDir)
  if (!index) {
    let entries: Record<string, ModuleFormat> = {}
    try {
      const parsed = JSON.parse(readFileSync(join(cacheDir, FORMATS_FILE), 'utf8')) as unknown
      if (typeof parsed === 'object' && parsed !== null) entries = parsed as Record<string, ModuleFormat>
    } catch { /* none yet, or unreadable: detect again */ }
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
    try { theirs = JSON.parse(readFileSync(file, 'utf8')) as Record<string, ModuleFormat> } catch { /* none */ }
    writeFileSync(tmp, JSON.stringify({ ...theirs, ...index.entries }))
    renameSync(tmp, file)
  } catch { /* read-only or full disk: detect again next time */ }
}

/** The plugin whose code a stack trace points into (`<plugin>/<path>` once rewritten, or its cache directory), if any. */
export function pluginOfStack(stack: string | undefined): string | null {
  if (!stack) return null
  for (const [href, root] of roots) {
    if (stack.includes(`(${root.plugin}/`) || stack.includes(`at ${root.plugin}/`) || stack.includes(href) || stack.includes(`${root.dir}/`)) return root.plugin
  }
  return null
}
