import type { StoreReader } from '../store/store-reader.ts'

/** A few lines of a plugin's own file around the line a stack names. */
export interface SourceExcerpt {
  /** As the stack names it: ops-banner/lib/rules.ts:5. */
  where: string
  path: string
  line: number
  lines: Array<{ n: number; text: string }>
}

const CONTEXT = 3
const MAX_FILE_BYTES = 1024 * 1024

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * The places in a stack that name one of the plugin's files, first first:
 * `<plugin>/<file>:<line>[:<col>]`, or `<plugin>@<version>/<file>:<line>` as
 * run-time errors recorded them before stacks named the plugin alone.
 */
export function stackPlaces(detail: string, plugin: string): Array<{ path: string; line: number; where: string }> {
  const re = new RegExp(`(?:^|[\\s(@])(${escapeRegExp(plugin)}(?:@[^/\\s()]+)?/([^\\s():]+)):(\\d+)(?::\\d+)?`, 'gm')
  return [...detail.matchAll(re)].map((m) => ({ path: m[2]!, line: Number(m[3]), where: `${plugin}/${m[2]}:${m[3]}` }))
}

/**
 * The source lines around the first stack place whose file is in the
 * plugin's stored bundle (`bundleSha256`), or null: no such place, a file
 * not in the bundle (a built-in, the platform), or a line past its end.
 */
export async function sourceExcerpt(
  store: Pick<StoreReader, 'bundle' | 'blob'>,
  bundleSha256: string,
  detail: string | null,
  plugin: string | null,
): Promise<SourceExcerpt | null> {
  if (!detail || !plugin) return null
  const places = stackPlaces(detail, plugin)
  if (!places.length) return null
  const files = new Map((await store.bundle(bundleSha256))?.files.map((f) => [f.path, f]))
  for (const place of places) {
    const file = files.get(place.path)
    if (!file || file.size > MAX_FILE_BYTES) continue
    const data = await store.blob(file.sha256)
    if (!data || data.includes(0)) continue // not text
    const all = data.toString('utf8').split(/\r?\n/)
    if (place.line < 1 || place.line > all.length) continue
    const from = Math.max(1, place.line - CONTEXT)
    const to = Math.min(all.length, place.line + CONTEXT)
    return {
      where: place.where,
      path: place.path,
      line: place.line,
      lines: all.slice(from - 1, to).map((text, i) => ({ n: from + i, text })),
    }
  }
  return null
}
