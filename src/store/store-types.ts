import type { Bundle, BundleFile } from '../bundle/bundle-types.ts'
import type { Severity, Warning } from '../errors/warning.ts'

// Re-exported: the store's own types and the shapes it stores, from one import.
export type { Bundle, BundleFile, Severity, Warning }

export interface SignatureState {
  state: 'valid' | 'missing' | 'invalid' | 'untrusted'
  keyId?: string | null
}

export interface PluginVersion {
  id: number
  name: string
  version: string
  status: 'ok' | 'warning' | 'error'
  bundleSha256: string
  /** Hash of the tree the source offered: bundleSha256 unless compiled TypeScript was added to the bundle. */
  sourceSha256: string
  manifest: Record<string, unknown>
  source: string
  origin: string
  signature: SignatureState | null
  registered: Record<string, unknown> | null
  publishedAt: string
  warnings: Warning[]
}

export interface GenerationEntry extends PluginVersion {
  /** A failed update that this generation kept out (UPDATE_REJECTED). */
  rejected: PluginVersion | null
}

export interface Generation {
  id: number
  createdAt: string
  reason: string
  plugins: GenerationEntry[]
}

/** A version the scheduler found and validated but that is not in the store yet. */
export interface NewVersion {
  name: string
  version: string
  bundle: Bundle
  /** Hash of the tree the source offered, when the bundle is more than that (compiled TypeScript added). */
  sourceSha256?: string
  /** Contents of the bundle's files, by sha256; only blobs the store may lack need to be here. */
  blobs: Map<string, Buffer>
  manifest: Record<string, unknown>
  source: string
  origin: string
  signature: SignatureState | null
  status: 'ok' | 'warning' | 'error'
  registered: Record<string, unknown> | null
  warnings: Warning[]
}

export type VersionRef = number | NewVersion

export interface PublishPlan {
  reason: string
  entries: Array<{ name: string; version: VersionRef; rejected?: VersionRef | null }>
  /** Scan-level warnings; replaces the stored set. Keyed so a repeat keeps its first-seen time. */
  notices: Array<Warning & { key: string }>
}

export interface PublishResult {
  generation: number | null
  changed: boolean
}

export interface StoredNotice extends Warning {
  key: string
  firstSeen: string
  lastSeen: string
  count: number
}
