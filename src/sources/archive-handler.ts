import { basename } from 'node:path'
import { archiveLimits, type ArchiveLimits } from '../archive/archive-limits.ts'
import { ArchiveRefusal } from '../archive/archive-refusal.ts'
import type { ArchiveInput } from '../archive/archive-tree.ts'
import { bundleFromTree } from '../archive/bundle-from-tree.ts'
import { ARCHIVE_EXTENSIONS, archiveStem, extractArchive } from '../archive/extract-archive.ts'
import { findPlugins } from '../archive/find-plugins.ts'
import { sha256 } from '../bundle/hash-bundle.ts'
import type { BundleLimits } from '../bundle/read-bundle.ts'
import type { Trust } from '../signing/create-trust.ts'
import type { ArchiveHandler } from './directory-source.ts'
import { candidateFromBundle } from './inspect-plugin-dir.ts'
import type { Candidate, Notice } from './source-types.ts'
import type { WarningCode } from '../errors/codes.ts'

export interface InspectArchiveOptions {
  /** File name as the user knows it (the URL's or object key's last segment); decides zip vs tgz. */
  name: string
  source: string
  origin: string
  limits: BundleLimits & Partial<ArchiveLimits>
  trust?: Trust
}

/** The directory source's hook: .zip/.tgz files in plugins/ are read like remote archives. */
export function createArchiveHandler(options: { limits?: Partial<ArchiveLimits>; trust?: Trust } = {}): ArchiveHandler {
  return {
    extensions: ARCHIVE_EXTENSIONS,
    inspect: (file, o) =>
      inspectArchive(
        { file },
        { name: basename(file), source: o.source, origin: o.origin, limits: { ...o.limits, ...options.limits }, trust: options.trust },
      ),
  }
}

/**
 * Reads an archive into memory under the limits (see extractArchive), finds
 * its plugins and checks each like a plugin folder. A refused archive
 * becomes one failed candidate, filed under the archive's name, whose
 * warning names the entry at fault.
 */
export async function inspectArchive(
  input: ArchiveInput,
  options: InspectArchiveOptions,
): Promise<{ candidates: Candidate[]; notices: Notice[] }> {
  const limits = archiveLimits(options.limits)
  let tree: Awaited<ReturnType<typeof extractArchive>>
  try {
    tree = await extractArchive(input, options.name, limits)
  } catch (error) {
    if (!(error instanceof ArchiveRefusal)) throw error
    return { candidates: [refusedCandidate(error, options)], notices: [] }
  }
  const found = findPlugins(tree)
  const single = found.plugins.length === 1 && found.plugins[0]!.folder === null
  const candidates = found.plugins.map((p) => {
    const folder = p.folder ?? archiveStem(options.name)
    const origin = single ? options.origin : `${options.origin}#${folder}`
    return candidateFromBundle(bundleFromTree(tree, p.prefix, folder, limits, options.origin), {
      source: options.source,
      origin,
      folder,
      trust: options.trust,
    })
  })
  const notices: Notice[] = found.strays.map((folder) => ({
    key: `NOT_A_PLUGIN:${options.origin}#${folder}`,
    code: 'NOT_A_PLUGIN',
    severity: 'info',
    plugin: null,
    version: null,
    message: `${folder}/ in archive ${options.name} has no plugin.json (nor a package.json with "appPlugin"), so it is not a plugin; it is ignored.`,
    detail: options.origin,
  }))
  if (!found.plugins.length) {
    notices.push({
      key: `NOT_A_PLUGIN:${options.origin}`,
      code: 'NOT_A_PLUGIN',
      severity: 'info',
      plugin: null,
      version: null,
      message: `archive ${options.name} holds no plugin: expected plugin.json (or a package.json with "appPlugin") at its root, in one top folder, or in each folder of a directory of plugins.`,
      detail: options.origin,
    })
  }
  return { candidates, notices }
}

/** A candidate that never validates: it carries the refusal and no files, so nothing of the archive reaches the store. */
export function refusedCandidate(
  refusal: { code: WarningCode; message: string; entry?: string | null },
  options: { name: string; source: string; origin: string },
): Candidate {
  const folder = archiveStem(options.name)
  // The archive's name without a version suffix is the best guess at the plugin it replaces ("x-1.2.0.tgz" -> "x").
  const name =
    folder
      .toLowerCase()
      .replace(/[-_@]v?\d+\.\d+\.\d+([-+][0-9a-z.+-]*)?$/, '')
      .replace(/[^a-z0-9._-]/g, '-')
      .replace(/^[^a-z0-9]+/, '')
      .slice(0, 64) || 'unnamed'
  const warning = {
    code: refusal.code,
    severity: 'error' as const,
    plugin: name,
    version: null,
    message: refusal.message,
    detail: refusal.entry == null ? options.origin : `${options.origin}: ${JSON.stringify(refusal.entry)}`,
  }
  return {
    folder,
    source: options.source,
    origin: options.origin,
    bundle: {
      files: [],
      sha256: `refused-${sha256(refusal.message)}`,
      blobs: new Map(),
      paths: new Map(),
      warnings: [warning],
      newestChangeMs: 0,
    },
    check: { manifest: null, name, version: '0.0.0', warnings: [] },
    signature: null,
    warnings: [],
  }
}
