import type { StoreReader } from '../store/store-reader.ts'
import type { BundleFile } from '../store/store-types.ts'
import { diffLines, hunks, type Hunk } from './line-diff.ts'

/** One file that differs between two versions of a plugin. */
export interface FileChange {
  path: string
  status: 'added' | 'removed' | 'changed'
  before: BundleFile | null
  after: BundleFile | null
  /** The line diff of a changed text file; null with `note` saying why there is none. */
  hunks: Hunk[] | null
  note: string | null
}

/** Text diffs are shown for files up to this size (each side). */
const MAX_DIFF_BYTES = 512 * 1024

async function textOf(store: Pick<StoreReader, 'blob'>, file: BundleFile): Promise<string[] | null> {
  const data = await store.blob(file.sha256)
  if (!data || data.includes(0)) return null
  const lines = data.toString('utf8').split(/\r?\n/)
  if (lines.at(-1) === '') lines.pop() // the file's last newline ends a line; it starts none
  return lines
}

/** Files added, removed and changed from bundle `from` to bundle `to`, by path, each changed text file with its line diff. */
export async function compareBundles(store: Pick<StoreReader, 'bundle' | 'blob'>, from: string, to: string): Promise<FileChange[]> {
  const a = new Map((await store.bundle(from))?.files.map((f) => [f.path, f]))
  const b = new Map((await store.bundle(to))?.files.map((f) => [f.path, f]))
  const out: FileChange[] = []
  for (const path of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const before = a.get(path) ?? null
    const after = b.get(path) ?? null
    if (before && after && before.sha256 === after.sha256) continue
    if (!before || !after) {
      out.push({ path, status: before ? 'removed' : 'added', before, after, hunks: null, note: null })
      continue
    }
    out.push({ path, status: 'changed', before, after, ...(await lineDiff(store, before, after)) })
  }
  return out
}

async function lineDiff(
  store: Pick<StoreReader, 'blob'>,
  before: BundleFile,
  after: BundleFile,
): Promise<{ hunks: Hunk[] | null; note: string | null }> {
  if (before.size > MAX_DIFF_BYTES || after.size > MAX_DIFF_BYTES)
    return { hunks: null, note: `larger than ${MAX_DIFF_BYTES / 1024} KiB: no line diff` }
  const [x, y] = [await textOf(store, before), await textOf(store, after)]
  if (!x || !y) return { hunks: null, note: 'binary: no line diff' }
  const lines = diffLines(x, y)
  if (!lines) return { hunks: null, note: 'too many changed lines to show a diff' }
  if (before.mode !== after.mode && lines.every((l) => l.op === ' '))
    return { hunks: [], note: `mode changed from ${before.mode.toString(8)} to ${after.mode.toString(8)}` }
  return { hunks: hunks(lines), note: null }
}
