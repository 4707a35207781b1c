import { readFileSync } from 'node:fs'
import { SourceMap } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { compiledPathOf, isTypeScript } from '../compile/build-paths.ts'

/**
 * Stack traces and messages name a plugin's own files
 * (`instance-type-blacklist/lib/rules.ts:5:9`), never the cache directory
 * its bundle was written to: frames in compiled TypeScript are mapped back to
 * their source lines, and `<cache>/<sha256>/<path>` (path or file URL, with a
 * reload's `?load=N`) becomes `<plugin>/<path>`, per thread.
 */

/** Cache subdirectory name (a bundle's sha256) -> the plugin whose bundle it is. */
const plugins = new Map<string, string>()
const cacheDirs = new Set<string>()
const prefixes = new Set<string>()
let pattern: RegExp | null = null
let installed = false

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Records that <cacheDir>/<dirName> holds the files of `plugin`. */
export function addPluginDir(cacheDir: string, dirName: string, plugin: string): void {
  plugins.set(dirName, plugin)
  const dir = cacheDir.replace(/\/$/, '')
  if (cacheDirs.has(dir)) return
  cacheDirs.add(dir)
  prefixes.add(pathToFileURL(dir).href)
  prefixes.add(dir)
  // Longest first, so a file URL loses its "file://" too.
  pattern = new RegExp(
    `(?:${[...prefixes]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|')})/([^/\\s]+)/([^\\s?:)'"]*)(?:\\?load=\\d+)?`,
    'g',
  )
}

/** The text with every plugin cache path replaced by `<plugin>/<path>`. */
export function pluginPaths(text: string): string {
  if (!pattern || !text) return text
  return text.replace(pattern, (match: string, dir: string, path: string) => {
    const plugin = plugins.get(dir)
    return plugin ? `${plugin}/${path}` : match
  })
}

/** Source maps of compiled TypeScript, read when a stack first needs one (null: none). */
const maps = new Map<string, SourceMap | null>()

function sourceMapOf(file: string): SourceMap | null {
  let map = maps.get(file)
  if (map !== undefined) return map
  map = null
  for (const cache of cacheDirs) {
    if (!file.startsWith(`${cache}/`)) continue
    const [dir, ...rest] = file.slice(cache.length + 1).split('/')
    try {
      map = new SourceMap(JSON.parse(readFileSync(join(cache, dir!, `${compiledPathOf(rest.join('/'))}.map`), 'utf8')))
    } catch {
      /* no map: the frame keeps the compiled position */
    }
  }
  maps.set(file, map)
  return map
}

/** A frame in compiled TypeScript, at its source line and column instead (other frames as they are). */
function sourceFrame(frame: NodeJS.CallSite): NodeJS.CallSite {
  const name = frame.getFileName()
  const line = frame.getLineNumber()
  const column = frame.getColumnNumber()
  if (!name || !line || !column) return frame
  const file = name.startsWith('file:') ? fileURLToPath(name.replace(/\?.*$/, '')) : name
  if (!isTypeScript(file)) return frame
  // As Node maps frames itself: the start of the mapping that holds the position.
  const entry = sourceMapOf(file)?.findEntry(line - 1, column - 1)
  if (!entry || !('originalLine' in entry)) return frame
  const [sourceLine, sourceColumn] = [entry.originalLine + 1, entry.originalColumn + 1]
  const text = String(frame).replace(`${name}:${line}:${column}`, `${name}:${sourceLine}:${sourceColumn}`)
  const mapped: Record<PropertyKey, () => unknown> = {
    getLineNumber: () => sourceLine,
    getColumnNumber: () => sourceColumn,
    toString: () => text,
  }
  return new Proxy(frame, {
    get(target, key) {
      if (key in mapped) return mapped[key]
      const value: unknown = Reflect.get(target, key)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

/**
 * Rewrites every stack trace this thread formats: compiled TypeScript frames
 * at their source lines, cache paths as `<plugin>/<path>`. The source maps
 * are read only when a stack needs one: Node's own source map support
 * (module.setSourceMapsSupport) parses every map at import, which made
 * loading 100 TypeScript plugins a fifth slower. With Node's support on
 * (--enable-source-maps) Node maps the frames and this only renames paths.
 */
export function installPluginStacks(): void {
  if (installed) return
  installed = true
  const format = Error.prepareStackTrace
  Error.prepareStackTrace = (error, callsites) => {
    const frames = process.sourceMapsEnabled ? callsites : callsites.map(sourceFrame)
    const text: unknown = format ? format(error, frames) : `${String(error)}${frames.map((c) => `\n    at ${String(c)}`).join('')}`
    return typeof text === 'string' ? pluginPaths(text) : text
  }
}
