import type { ReadBundleResult } from '../bundle/read-bundle.ts'
import type { ManifestCheck } from '../manifest/validate-manifest.ts'
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
}

export interface ScanResult {
  candidates: Candidate[]
  notices: Notice[]
  /** false: the source could not be read; its plugins from the last good scan are kept. */
  reachable: boolean
  /** Files still being written: scan again after this many ms. */
  unsettledMs?: number
}

/** The contract every plugin source meets; one shared test suite runs against each. */
export interface PluginSource {
  /** Stable key, e.g. 'directory:/srv/plugins' or 'http:https://host/index.json'. */
  readonly key: string
  readonly kind: string
  scan(): Promise<ScanResult>
  /** Polling interval for remote sources; the directory source is watched instead. */
  readonly intervalMs?: number
  /** Resolves when watching; calls onChange (debounced by the caller) on changes; returns unwatch. */
  watch?(onChange: () => void): Promise<() => Promise<void>>
}
