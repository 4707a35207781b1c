import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { getCallSites } from 'node:util'
import { pluginContext } from './plugin-context.ts'
import type { PluginLog } from './plugin-log.ts'

/**
 * The plugin roots of this thread (data/cache/<sha256>/ directories, each
 * bound to one plugin load) and who is calling: which plugin's code is on
 * the stack or in the async context now. The module hooks use it to give
 * each plugin only its own SDK, the scope to refuse registrations made by
 * another plugin, the console capture to tag lines.
 */

/**
 * Frames looked at for plugin code on the stack. A request made by another
 * plugin's code has that code within a few frames of the hook (createRequire,
 * Module._load and vm add under 15); deeper than that, the plugin context
 * (set around every entry into plugin code) still names it. Each frame costs
 * about a microsecond, and the loader asks once per plugin file.
 */
const STACK_DEPTH = 24
/** Taken now: plugin code that replaces util.getCallSites later does not change what the host sees (and it ignores Error.prepareStackTrace). */
const callSites = getCallSites

/** One plugin root as Node names it (`dir`: the given path, or its real path when a link leads there; both share the load's sdkId). */
export interface Root {
  dir: string
  href: string
  name: string
  cacheDir: string
  sdkId: string
  plugin: string
  loads: number
  log: PluginLog | null
}
export const sameLoad = (a: Root | undefined, b: Root | undefined) => a !== undefined && b !== undefined && a.sdkId === b.sdkId

/** file URL of a plugin root with a trailing slash -> the SDK its code gets now. */
const roots = new Map<string, Root>()
/** Path of a plugin root (no trailing slash) -> the same roots: CommonJS frames name paths, not URLs. */
const rootsByDir = new Map<string, Root>()
/** file URLs (trailing slash) of the cache directories that hold plugin roots. */
const cacheDirs = new Set<string>()
const cachePaths = new Set<string>()
/** Cache directories as given to bindPluginRoot, already added to the two sets above. */
const boundCaches = new Set<string>()

export function rootOf(url: string | undefined): Root | undefined {
  if (!url?.startsWith('file:')) return undefined
  for (const cache of cacheDirs) {
    if (!url.startsWith(cache)) continue
    const slash = url.indexOf('/', cache.length)
    if (slash > 0) return roots.get(url.slice(0, slash + 1))
  }
  return undefined
}

/** The plugin root a stack frame's script (a file URL for ESM, a path for CommonJS) lives in. */
function rootOfScript(name: string): Root | undefined {
  if (name.startsWith('file:')) return rootOf(name)
  if (!name.startsWith('/')) return undefined
  for (const cache of cachePaths) {
    if (!name.startsWith(cache) || name[cache.length] !== '/') continue
    const slash = name.indexOf('/', cache.length + 1)
    if (slash > 0) return rootsByDir.get(name.slice(0, slash))
  }
  return undefined
}

/**
 * The plugin whose code asks for something now: the innermost frame of a
 * plugin file within `depth` frames (the module the call comes from), else
 * the plugin context set around every entry into plugin code (code that
 * runs with no plugin frame left: a bound function, a promise reaction);
 * null for host code.
 */
export function callingPlugin(depth = STACK_DEPTH): string | null {
  for (const site of callSites(depth)) {
    const root = rootOfScript(site.scriptName)
    if (root) return root.plugin
  }
  return pluginContext.getStore()?.plugin ?? null
}

/**
 * A plugin other than `own` whose code is on the stack (within `depth`
 * frames) or whose context this is; null when only `own` (or the host) is
 * asking. Every frame counts, not only the innermost: a vm script can carry
 * another plugin's file name, the real caller's frame below it cannot.
 */
export function foreignCaller(own: string, depth = STACK_DEPTH): string | null {
  for (const site of callSites(depth)) {
    const root = rootOfScript(site.scriptName)
    if (root && root.plugin !== own) return root.plugin
  }
  const ctx = pluginContext.getStore()
  return ctx && ctx.plugin !== own ? ctx.plugin : null
}

/**
 * The logger of the plugin whose code calls console.* now: the innermost
 * plugin frame (the module the call comes from), else the plugin context
 * (for console.log passed as a callback, where no plugin frame is left).
 */
export function logOfCaller(): PluginLog | null {
  for (const site of callSites(64)) {
    const root = rootOfScript(site.scriptName)
    if (root) return root.log
  }
  return pluginContext.getStore()?.log ?? null
}

const real = (path: string) => {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}
/** Real path of each cache directory, resolved once: a bundle directory in it is never a link itself. */
const realCaches = new Map<string, string>()
const realIn = (cacheDir: string, path: string) => {
  let realCache = realCaches.get(cacheDir)
  if (realCache === undefined) {
    realCache = real(cacheDir).replace(/\/+$/, '')
    realCaches.set(cacheDir, realCache)
  }
  const base = cacheDir.replace(/\/+$/, '')
  if (path === base || path === cacheDir) return realCache
  return path.startsWith(`${base}/`) ? realCache + path.slice(base.length) : real(path)
}
const hrefOf = (path: string) => pathToFileURL(path).href.replace(/\/?$/, '/')

/**
 * Records a plugin root (and its real path, when a link leads to it) for one
 * load; returns its file URL, the root it replaces if it was bound before in
 * this thread, and how many times it has been loaded here.
 */
export function addPluginRoot(
  cacheDir: string,
  dir: string,
  load: Omit<Root, 'dir' | 'href' | 'cacheDir' | 'loads'>,
): { href: string; previous: Root | undefined; loads: number; realDir: (dir: string) => string } {
  // Node names modules by their real path: a data dir reached through a symbolic link is known by both names.
  if (!boundCaches.has(cacheDir)) {
    boundCaches.add(cacheDir)
    for (const path of new Set([cacheDir, realIn(cacheDir, cacheDir)].map((p) => p.replace(/\/+$/, '')))) {
      cachePaths.add(path)
      cacheDirs.add(hrefOf(path))
    }
  }
  const href = hrefOf(dir)
  const previous = roots.get(href)
  const loads = (previous?.loads ?? 0) + 1
  const trimmed = dir.replace(/\/$/, '')
  const real = realIn(cacheDir, trimmed)
  for (const [path, url] of real === trimmed
    ? [[trimmed, href]]
    : [
        [trimmed, href],
        [real, hrefOf(real)],
      ]) {
    const root: Root = { ...load, loads, dir: path!, href: url!, cacheDir }
    roots.set(url!, root)
    rootsByDir.set(path!, root)
  }
  return { href, previous, loads, realDir: (d) => realIn(cacheDir, d) }
}

/** The plugin whose code a stack trace points into (`<plugin>/<path>` once rewritten, or a file URL or path in its cache directory), if any. */
export function pluginOfStack(stack: string | undefined): string | null {
  if (!stack) return null
  for (const [href, root] of roots) {
    if (
      stack.includes(`(${root.plugin}/`) ||
      stack.includes(`at ${root.plugin}/`) ||
      stack.includes(href) ||
      stack.includes(`${root.dir}/`)
    )
      return root.plugin
  }
  return null
}
