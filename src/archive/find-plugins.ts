import type { ArchiveTree } from './archive-tree.ts'

export interface FoundPlugins {
  /** Where each plugin's files start in the tree ('' or 'dir/'); folder is null when the archive is the plugin itself. */
  plugins: Array<{ prefix: string; folder: string | null }>
  /** Folders at the plugin level without a manifest (reported as NOT_A_PLUGIN). */
  strays: string[]
}

// Left behind by macOS Finder and editors; never a plugin.
const IGNORED = (name: string) => name.startsWith('.') || name === '__MACOSX'

/**
 * Where the plugins are in an archive: at its root, in one top folder (such
 * as npm's package/), or one per folder of a directory of plugins (itself
 * optionally inside one top folder).
 */
export function findPlugins(tree: ArchiveTree): FoundPlugins {
  const has = (prefix: string) => tree.files.has(`${prefix}plugin.json`) || hasAppPlugin(tree, `${prefix}package.json`)
  if (has('')) return { plugins: [{ prefix: '', folder: null }], strays: [] }
  let base = ''
  const top = children(tree, '')
  if (top.length === 1 && top[0]!.dir) {
    base = `${top[0]!.name}/`
    if (has(base)) return { plugins: [{ prefix: base, folder: null }], strays: [] }
  }
  const plugins: FoundPlugins['plugins'] = []
  const strays: string[] = []
  for (const child of children(tree, base)) {
    if (!child.dir) continue
    if (has(`${base}${child.name}/`)) plugins.push({ prefix: `${base}${child.name}/`, folder: child.name })
    else strays.push(child.name)
  }
  return { plugins, strays }
}

/** A package.json with an "appPlugin" key, as `npm pack` makes of a plugin (under package/). */
function hasAppPlugin(tree: ArchiveTree, path: string): boolean {
  const file = tree.files.get(path)
  if (!file) return false
  try {
    const pkg = JSON.parse(file.data.toString('utf8')) as unknown
    return typeof pkg === 'object' && pkg !== null && 'appPlugin' in pkg
  } catch {
    return false
  }
}

/** The names directly under prefix, sorted, with whether each is a folder. */
function children(tree: ArchiveTree, prefix: string): Array<{ name: string; dir: boolean }> {
  const found = new Map<string, boolean>()
  for (const path of [...tree.files.keys(), ...tree.dirs]) {
    if (!path.startsWith(prefix)) continue
    const rest = path.slice(prefix.length)
    const slash = rest.indexOf('/')
    const name = slash < 0 ? rest : rest.slice(0, slash)
    if (!name || IGNORED(name)) continue
    found.set(name, found.get(name) === true || slash >= 0 || tree.dirs.has(prefix + name))
  }
  return [...found].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, dir]) => ({ name, dir }))
}
