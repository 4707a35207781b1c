import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'

/** Entries a plugin folder's copy leaves out: dot files and folders (.git, editors' swap files, an old .app-build). */
export const isLeftOut = (name: string) => name.startsWith('.')

function walk(dir: string, rel = '', out = new Map<string, { size: number; mtimeMs: number } | null>()) {
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    if (isLeftOut(e.name)) continue
    const path = rel ? `${rel}/${e.name}` : e.name
    if (e.isDirectory()) {
      out.set(path, null)
      walk(dir, path, out)
    } else if (e.isFile()) {
      const st = statSync(join(dir, path))
      out.set(path, { size: st.size, mtimeMs: st.mtimeMs })
    }
  }
  return out
}

/**
 * A copy of a plugin folder kept up to date (`app plugin dev`): each call
 * copies what is new or changed since the last one and removes what is gone,
 * so the scheduler watching the copy sees an author's save as a change there.
 * Returns how many entries changed.
 */
export function createFolderMirror(source: string, target: string) {
  let last = new Map<string, { size: number; mtimeMs: number } | null>()
  return (): number => {
    const now = walk(source)
    let changed = 0
    for (const [path, st] of now) {
      const before = last.get(path)
      if (st === null) {
        if (before === null) continue
        if (before) rmSync(join(target, path), { force: true }) // a file became a folder
        mkdirSync(join(target, path), { recursive: true })
        changed++
        continue
      }
      if (before && before.size === st.size && before.mtimeMs === st.mtimeMs) continue
      if (before === null) rmSync(join(target, path), { recursive: true, force: true }) // a folder became a file
      mkdirSync(dirname(join(target, path)), { recursive: true })
      copyFileSync(join(source, path), join(target, path))
      changed++
    }
    for (const path of [...last.keys()].reverse()) {
      if (now.has(path)) continue
      rmSync(join(target, path), { recursive: true, force: true })
      changed++
    }
    last = now
    return changed
  }
}
