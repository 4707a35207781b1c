export type AssetPath = { ok: true; path: string } | { ok: false; reason: string }

/**
 * Turns the still-encoded tail of /plugins/<name>/assets/<tail> into a bundle
 * path, or says why not. Refused: encoded slashes and backslashes, NUL and
 * other control characters, absolute and drive paths, and empty, "." or ".."
 * segments, encoded or not. Assets are looked up in the bundle's file list,
 * never on disk; refusing early keeps it that way if that ever changes.
 */
export function safeAssetPath(encoded: string): AssetPath {
  if (encoded === '') return { ok: false, reason: 'empty path' }
  if (/%2f/i.test(encoded)) return { ok: false, reason: 'encoded slash (%2F)' }
  if (/%5c|\\/i.test(encoded)) return { ok: false, reason: 'backslash' }
  if (/%00|\0/.test(encoded)) return { ok: false, reason: 'NUL byte' }
  if (encoded.startsWith('/')) return { ok: false, reason: 'absolute path' }
  const segments: string[] = []
  for (const raw of encoded.split('/')) {
    let segment: string
    try {
      segment = decodeURIComponent(raw)
    } catch {
      return { ok: false, reason: 'malformed percent-encoding' }
    }
    if (segment === '' || segment === '.' || segment === '..') return { ok: false, reason: `"${segment}" path segment` }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(segment)) return { ok: false, reason: 'control character' }
    if (segment.includes('/') || segment.includes('\\')) return { ok: false, reason: 'separator inside a segment' }
    segments.push(segment)
  }
  if (/^[a-z]:/i.test(segments[0]!)) return { ok: false, reason: 'drive path' }
  return { ok: true, path: segments.join('/') }
}
