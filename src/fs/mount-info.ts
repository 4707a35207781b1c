import { existsSync, readFileSync, realpathSync } from 'node:fs'
import { dirname, resolve } from 'node:path'

export interface MountInfo {
  mountPoint: string
  fsType: string
  source: string
  /** Per-mount options (ro, noexec, nosuid, ...). */
  options: string[]
}

/**
 * The mount that holds `path` (or its nearest existing parent), from
 * /proc/self/mountinfo; null where that file does not exist (not Linux).
 */
export function mountFor(path: string): MountInfo | null {
  let text: string
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8')
  } catch {
    return null
  }
  const target = realExisting(path)
  let best: MountInfo | null = null
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ')
    if (!left || !right) continue
    const fields = left.split(' ')
    const [fsType, source] = right.split(' ')
    const mountPoint = unescapeMountField(fields[4] ?? '')
    if (!within(target, mountPoint)) continue
    // Later lines stack on earlier ones at the same point; the longest point is the innermost mount.
    if (!best || mountPoint.length >= best.mountPoint.length) {
      best = { mountPoint, fsType: fsType ?? '?', source: unescapeMountField(source ?? '?'), options: (fields[5] ?? '').split(',') }
    }
  }
  return best
}

/** The path itself if it exists, else its nearest existing parent, with links resolved. */
export function realExisting(path: string): string {
  let p = resolve(path)
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p)
  try {
    return realpathSync(p)
  } catch {
    return p
  }
}

function within(path: string, mountPoint: string): boolean {
  return mountPoint === '/' || path === mountPoint || path.startsWith(`${mountPoint}/`)
}

// mountinfo escapes space, tab, newline and backslash as octal (\040).
function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)))
}
