import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ArchiveLimits } from '../archive/archive-limits.ts'
import { archiveType } from '../archive/extract-archive.ts'
import type { BundleLimits } from '../bundle/read-bundle.ts'
import type { Trust } from '../signing/create-trust.ts'
import type { StoreReader } from '../store/store-reader.ts'
import { inspectArchive } from './archive-handler.ts'
import type { ArchiveInput } from '../archive/archive-tree.ts'
import { DownloadError, sniffArchive, type SpillFile } from './save-download.ts'
import type { Candidate, Notice } from './source-types.ts'
import { storedCandidate, type StoredPlugin } from './stored-candidate.ts'

/** What a remote source remembers per archive (by URL or object key): enough to skip it when unchanged. */
export interface ArchiveRecord {
  etag: string | null
  sha256: string
  plugins: StoredPlugin[]
}

export type Download = { notModified: true } | { notModified: false; etag: string | null; sha256: string; body: ArchiveInput }

/** One archive a remote source lists. */
export interface RemoteItem {
  /** State key: the URL or the object key. */
  id: string
  /** File name, to tell .zip from .tgz (the content is sniffed when the name says neither). */
  name: string
  /** URL or s3://bucket/key, never with credentials. */
  origin: string
  /** Pinned sha256 (index entry or config): a download that differs is refused with CHECKSUM_MISMATCH. */
  sha256?: string
  /** ETag from a listing (S3): equal to the record's means unchanged, without a request. */
  etag?: string | null
  /** Downloads (large bodies go to spill()); with etag set, may answer notModified. Throws DownloadError. */
  download(spill: SpillFile, etag: string | null): Promise<Download>
  /** Checks on the downloaded bytes before they are read (the index's detached signature); notices with severity error refuse it. */
  verify?(sha256: string): Notice[]
}

export interface RemoteScanOptions {
  kind: string
  limits: BundleLimits & Partial<ArchiveLimits>
  trust: Trust
  store: StoreReader | null
  previous: Record<string, ArchiveRecord>
  /** When the source last answered fully, for SOURCE_UNREACHABLE messages. */
  lastSuccess?: string | null
  concurrency?: number
}

export interface RemoteScan {
  candidates: Candidate[]
  notices: Notice[]
  /** Records for the next scan: the archives read well, plus the last good ones still kept. */
  archives: Record<string, ArchiveRecord>
  /** Some archive could not be used: its last good plugins were kept. */
  partial: boolean
  /** Some archive could not be downloaded (network, timeout, HTTP error). */
  unreachable: boolean
}

/**
 * Reads a remote source's archives: unchanged ones (same pinned sha256 or
 * ETag, or a 304) are rebuilt from the store without a download; the rest
 * are downloaded into a private temp folder, checked against their pins and
 * read. An archive that fails keeps the last good plugins it provided.
 */
export async function scanArchives(items: RemoteItem[], options: RemoteScanOptions): Promise<RemoteScan> {
  const results = await mapLimit(items, options.concurrency ?? 4, (item) => scanOne(item, options))
  const candidates = results.flatMap((r) => r.candidates)
  const notices = results.flatMap((r) => r.notices)
  const archives: Record<string, ArchiveRecord> = {}
  items.forEach((item, i) => {
    if (results[i]!.record) archives[item.id] = results[i]!.record!
  })
  const partial = results.some((r) => r.failed)
  const unreachable = notices.some((n) => n.code === 'SOURCE_UNREACHABLE')
  if (partial && options.store) {
    // Last good plugins of the failed archives (matched by name: a new version may have a new URL).
    const fresh = new Set(candidates.map((c) => c.check.name))
    const vetoed = new Set(items.filter((_, i) => results[i]!.vetoed).map((item) => item.id))
    for (const [id, record] of Object.entries(options.previous)) {
      if (archives[id] || vetoed.has(id) || record.plugins.some((p) => fresh.has(p.name))) continue
      const kept = await rebuild(record, options)
      if (!kept) continue
      candidates.push(...kept)
      archives[id] = record
    }
  }
  return { candidates, notices, archives, partial, unreachable }
}

/** failed: keep the last good plugins of this source; vetoed: the index's signature refused it, so not even those of this archive. */
async function scanOne(
  item: RemoteItem,
  options: RemoteScanOptions,
): Promise<{ candidates: Candidate[]; notices: Notice[]; record: ArchiveRecord | null; failed: boolean; vetoed?: boolean }> {
  const record = options.previous[item.id]
  const unchanged = record && ((item.sha256 && record.sha256 === item.sha256) || (item.etag && record.etag === item.etag))
  const reusable = record && (unchanged || !item.sha256 || record.sha256 === item.sha256) ? await rebuild(record, options) : null
  const failed = (notice: Notice) => ({ candidates: [], notices: [notice], record: null, failed: true })
  if (unchanged && reusable) {
    // Checked again without a download: the index's signature or the trusted keys may have changed.
    const refusals = item.verify?.(record.sha256) ?? []
    if (refusals.some((n) => n.severity === 'error')) return { candidates: [], notices: refusals, record: null, failed: true, vetoed: true }
    return { candidates: reusable, notices: refusals, record, failed: false }
  }
  let dir: string | null = null
  const spill = async () => {
    dir ??= await mkdtemp(join(tmpdir(), 'app-download-'))
    return join(dir, 'archive')
  }
  try {
    const got = await item.download(spill, reusable ? record!.etag : null)
    if (got.notModified) return { candidates: reusable!, notices: [], record: record!, failed: false }
    if (item.sha256 && got.sha256 !== item.sha256) {
      return failed({
        key: `CHECKSUM_MISMATCH:${item.origin}`,
        code: 'CHECKSUM_MISMATCH',
        severity: 'error',
        plugin: null,
        version: null,
        detail: item.origin,
        message: `${item.origin} has sha256 ${got.sha256} but the pinned sha256 is ${item.sha256}; nothing from it was published and the last good version stays. Update the pin if the new file is intended, or find out who changed it.`,
      })
    }
    const refusals = item.verify?.(got.sha256) ?? []
    if (refusals.some((n) => n.severity === 'error')) return { candidates: [], notices: refusals, record: null, failed: true, vetoed: true }
    if (reusable && record!.sha256 === got.sha256)
      return { candidates: reusable, notices: refusals, record: { ...record!, etag: got.etag }, failed: false }
    const type = archiveType(item.name) ?? (await sniffArchive(got.body))
    if (!type) {
      return failed({
        key: `NOT_A_PLUGIN:${item.origin}`,
        code: 'NOT_A_PLUGIN',
        severity: 'warning',
        plugin: null,
        version: null,
        detail: item.origin,
        message: `${item.origin} is neither a .zip nor a .tgz archive (by name and by content); it is ignored. Point the source at an archive or an index JSON.`,
      })
    }
    const name = archiveType(item.name) ? item.name : `${item.name}.${type}`
    const found = await inspectArchive(got.body, {
      name,
      source: options.kind,
      origin: item.origin,
      limits: options.limits,
      trust: options.trust,
    })
    // Refused archives are fetched again next time and keep their last good plugins; trust-blocked ones are final.
    const refused = found.candidates.some((c) => c.bundle.sha256.startsWith('refused-') && !c.contentSha256)
    const plugins = found.candidates.map((c) => ({ name: c.check.name, folder: c.folder, origin: c.origin, bundleSha256: c.bundle.sha256 }))
    return {
      candidates: found.candidates,
      notices: [...refusals, ...found.notices],
      record: refused ? null : { etag: got.etag, sha256: got.sha256, plugins },
      failed: refused,
    }
  } catch (error) {
    if (!(error instanceof DownloadError)) throw error
    const tooLarge = error.kind === 'too-large'
    return failed({
      key: `${tooLarge ? 'BUNDLE_TOO_LARGE' : 'SOURCE_UNREACHABLE'}:${item.origin}`,
      code: tooLarge ? 'BUNDLE_TOO_LARGE' : 'SOURCE_UNREACHABLE',
      severity: tooLarge ? 'error' : 'warning',
      plugin: null,
      version: null,
      detail: item.origin,
      message: tooLarge
        ? `${error.message}${record ? ' The last good version of its plugins stays.' : ''}`
        : unreachableMessage(error.message, options.lastSuccess ?? null),
    })
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true })
  }
}

/** SOURCE_UNREACHABLE text: what failed, that the last good plugins stay, and since when. */
export function unreachableMessage(what: string, lastSuccess: string | null): string {
  return `${what} The last good plugins of this source stay published (last success: ${lastSuccess ?? 'never'}); it is tried again on the next poll.`
}

/** The plugins of a record, rebuilt from the store; null when any is gone. */
export async function rebuild(
  record: ArchiveRecord,
  options: { kind: string; trust: Trust; store: StoreReader | null },
): Promise<Candidate[] | null> {
  if (!options.store) return null
  const out: Candidate[] = []
  for (const p of record.plugins) {
    const c = await storedCandidate(options.store, p, { source: options.kind, trust: options.trust })
    if (!c) return null
    out.push(c)
  }
  return out
}

/** Runs fn over items with at most `limit` at a time; results in input order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
