import { setSourceMapsSupport } from 'node:module'
import { pathToFileURL } from 'node:url'

/**
 * Stack traces and messages name a plugin's own files
 * (`instance-type-blacklist/lib/rules.ts:5:9`), never the cache directory
 * its bundle was written to. Source maps take compiled TypeScript back to its
 * lines; this rewrites `<cache>/<sha256>/<path>` (path or file URL, with a
 * reload's `?load=N`) to `<plugin>/<path>`, per thread.
 */

/** Cache subdirectory name (a bundle's sha256) -> the plugin whose bundle it is. */
const plugins = new Map<string, string>()
const prefixes = new Set<string>()
let pattern: RegExp | null = null
let installed = false

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Records that <cacheDir>/<dirName> holds the files of `plugin`. */
export function addPluginDir(cacheDir: string, dirName: string, plugin: string): void {
  plugins.set(dirName, plugin)
  const forms = [pathToFileURL(cacheDir).href.replace(/\/$/, ''), cacheDir.replace(/\/$/, '')]
  if (forms.every((f) => prefixes.has(f))) return
  for (const f of forms) prefixes.add(f)
  // The file URL form first, so its "file://" goes too.
  pattern = new RegExp(`(?:${[...prefixes].sort((a, b) => b.length - a.length).map(escape).join('|')})/([^/\\s]+)/([^\\s?:)'"]*)(?:\\?load=\\d+)?`, 'g')
}

/** The text with every plugin cache path replaced by `<plugin>/<path>`. */
export function pluginPaths(text: string): string {
  if (!pattern || !text) return text
  return text.replace(pattern, (match: string, dir: string, path: string) => {
    const plugin = plugins.get(dir)
    return plugin ? `${plugin}/${path}` : match
  })
}

/**
 * Turns on source maps for code loaded from now on in this thread and
 * rewrites cache paths in every stack trace it formats. Node's own
 * Error.prepareStackTrace (which applies the source maps) still does the
 * formatting.
 */
export function installPluginStacks(): void {
  if (installed) return
  installed = true
  setSourceMapsSupport(true)
  const format = Error.prepareStackTrace
  Error.prepareStackTrace = (error, callsites) => {
    const text: unknown = format ? format(error, callsites) : `${String(error)}${callsites.map((c) => `\n    at ${String(c)}`).join('')}`
    return typeof text === 'string' ? pluginPaths(text) : text
  }
}
