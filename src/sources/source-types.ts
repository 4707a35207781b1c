import type { ReadBundleResult } from '../bundle/read-bundle.ts'
import type { ManifestCheck } from '../manifest/validate-manifest.ts'
import type { StoreReader } from '../store/store-reader.ts'
import type { SignatureState, Warning } from '../store/store-types.ts'

export type Notice = Warning & { key: string }

/** One plugin a source found: its files, its manifest check, where it came from. */
export interface Candidate {
  /** Folder or archive entry name, for messages. */
  folder: string
  /** Source kind: 'directory', 'http', 's3'. */
  source: string
  /** Absolute path or URL (never with credentials). */
  origin: string
  bundle: ReadBundleResult
  check: ManifestCheck
  signature: SignatureState | null
  /** Source-level findings about this plugin: CHECKSUM_MISMATCH, SIGNATURE_*. */
  warnings: Warning[]
  /**
   * Set when the trust config blocks this content (bundle is then an empty
   * refusal): the hash of the real files, so sync does not keep an earlier
   * copy of the same content as "last good".
   */
  contentSha256?: string
}

export interface ScanResult {
  candidates: Candidate[]
  notices: Notice[]
  /** false: the source could not be read; its plugins from the last good scan are kept. */
  reachable: boolean
  /** Files still being written: scan again after this many ms. */
  unsettledMs?: number
  /**
   * Something changed less than a second ago: scan once more after this many ms, whatever the watcher reports.
   * A watcher can miss files written into a folder it has only just seen (chokidar reads a new folder, then
   * watches it), and a scan in between would see the folder half-copied and never hear of the rest.
   */
  recheckMs?: number
  /** What the source wants back on its next scan (ETags, last good result); the scheduler stores it. */
  state?: Record<string, unknown>
}

/** What the scheduler hands a scan: the source's saved state, and the store to rebuild unchanged plugins from. */
export interface ScanContext {
  state: Record<string, unknown> | null
  store: StoreReader
}

/** The contract every plugin source meets; one shared test suite runs against each. */
export interface PluginSource {
  /** Stable key, e.g. 'directory:/srv/plugins' or 'http:https://host/index.json'. */
  readonly key: string
  readonly kind: string
  /** The source's `allowDowngrade`: it may replace a plugin with a lower version (otherwise DOWNGRADE_REFUSED). */
  readonly allowDowngrade?: boolean
  scan(context?: ScanContext): Promise<ScanResult>
  /** Polling interval for remote sources; the directory source is watched instead. */
  readonly intervalMs?: number
  /** Resolves when watching; calls onChange (debounced by the caller) on changes; returns unwatch. */
  watch?(onChange: () => void): Promise<() => Promise<void>>
}

/**
 * Runs a new version in isolation before it is published (the dry run); returns what it found. `ahead`: how
 * many more candidates the pass may validate after this one (unset: unknown), so no more threads are
 * started ahead than it can use.
 */
export type ValidateVersion = (
  candidate: Candidate,
  blobs: Map<string, Buffer>,
  options?: { ahead?: number },
) => Promise<{ warnings: Warning[]; registered: Record<string, unknown> | null }>
