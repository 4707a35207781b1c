import { sha256 } from '../bundle/hash-bundle.ts'
import { createCompiler, type Compiler } from '../compile/create-compiler.ts'
import { loadMissingBlobs } from '../bundle/read-bundle.ts'
import type { Logger } from '../log/create-logger.ts'
import type { Candidate, Notice, PluginSource, ScanResult } from '../sources/source-types.ts'
import type { WritableStore } from '../store/open-store.ts'
import type { Generation, NewVersion, PublishPlan, VersionRef, Warning } from '../store/store-types.ts'

/** Runs a new version in isolation before it is published (the dry run); returns what it found. */
export type ValidateVersion = (candidate: Candidate, blobs: Map<string, Buffer>) => Promise<{ warnings: Warning[]; registered: Record<string, unknown> | null }>

export interface SyncOptions {
  store: WritableStore
  sources: PluginSource[]
  validate?: ValidateVersion
  /** Compiles TypeScript plugins before their dry run; by default esbuild from the esbuild package (source and tests). */
  compile?: Compiler
  keepGenerations?: number
  reason?: string
  logger?: Logger
  onProgress?: (done: number, total: number) => void
}

export interface SyncResult {
  generation: number | null
  changed: boolean
  /** Set when files were still being written: nothing was published, try again after this many ms. */
  unsettledMs?: number
  plugins: number
}

const statusOf = (warnings: Warning[]): NewVersion['status'] =>
  warnings.some((w) => w.severity === 'error') ? 'error' : warnings.some((w) => w.severity === 'warning') ? 'warning' : 'ok'

/**
 * One publish pass: scan every source, pick one candidate per name, validate
 * what is new, and publish the result as one generation (or nothing, when
 * nothing changed). A failed update keeps the last good version; a source
 * that cannot be reached keeps its plugins.
 */
export async function syncPlugins(options: SyncOptions): Promise<SyncResult> {
  const { store, sources, logger } = options
  const scans: Array<{ source: PluginSource; result: ScanResult; state?: Record<string, unknown> | null }> = []
  for (const source of sources) {
    try {
      const state = await store.sourceState(source.key)
      scans.push({ source, result: await source.scan({ state, store }), state })
    } catch (error) {
      logger?.warn({ err: error, source: source.key }, 'plugin source failed; keeping its last good plugins')
      scans.push({ source, result: { candidates: [], notices: [], reachable: false } })
    }
  }
  const unsettledMs = Math.max(0, ...scans.map((s) => s.result.unsettledMs ?? 0))
  if (unsettledMs > 0) return { generation: null, changed: false, unsettledMs, plugins: 0 }

  const current = await store.currentGeneration()
  const notices: Notice[] = scans.flatMap((s) => s.result.notices)
  const winners = new Map<string, Candidate>()
  for (const { result } of scans) {
    for (const c of result.candidates) {
      const winner = winners.get(c.check.name)
      if (!winner) {
        winners.set(c.check.name, c)
        continue
      }
      notices.push({
        key: `NAME_CONFLICT:${c.source}:${c.origin}`, code: 'NAME_CONFLICT', severity: 'error', plugin: c.check.name, version: c.check.version,
        message: `two plugins are named "${c.check.name}": ${winner.origin} (${winner.source}) is used and ${c.origin} (${c.source}) is ignored. Plugin names must be unique across sources; rename or remove one.`,
        detail: c.origin,
      })
    }
  }

  const entries: PublishPlan['entries'] = []
  let done = 0
  const previousByName = new Map(current?.plugins.map((p) => [p.name, p]))
  for (const [name, candidate] of [...winners].sort(([a], [b]) => (a < b ? -1 : 1))) {
    options.onProgress?.(++done, winners.size)
    const resolved = await resolveVersion(store, candidate, options.validate, options.compile ?? defaultCompiler())
    if (!resolved) return { generation: null, changed: false, unsettledMs: 250, plugins: 0 } // changed under us
    const { version, status } = resolved
    const previous = previousByName.get(name)
    const lastGood = previous && previous.status !== 'error' ? previous : undefined
    // The same content now refused by the trust config is not kept as "last good".
    const isLastGood = (sha: string | undefined) => sha !== undefined && (sha === lastGood?.bundleSha256 || sha === lastGood?.sourceSha256)
    if (status === 'error' && lastGood && !isLastGood(candidate.bundle.sha256) && !isLastGood(candidate.contentSha256)) {
      entries.push({ name, version: lastGood.id, rejected: version })
    } else {
      entries.push({ name, version, rejected: null })
    }
  }
  // A source that could not be read keeps what it had.
  const unreachable = new Set(scans.filter((s) => !s.result.reachable).map((s) => s.source.kind))
  for (const p of current?.plugins ?? []) {
    if (!winners.has(p.name) && unreachable.has(p.source)) entries.push({ name: p.name, version: p.id, rejected: p.rejected?.id ?? null })
  }
  // After `app plugins rollback`, the rolled-back set stands until a source changes.
  const fingerprint = sha256(JSON.stringify([...winners.values()].map(keyOf).concat([...unreachable].map((u) => ({ name: u, bundleSha256: '', source: u, origin: '' })))))
  const last = await store.sourceState('last-scan')
  const keep = current && last?.fingerprint === fingerprint && last.generation !== current.id
  const plan = keep ? current.plugins.map((p) => ({ name: p.name, version: p.id, rejected: p.rejected?.id ?? null })) : entries
  const result = await store.publish({ reason: options.reason ?? 'sync', entries: plan, notices }, { keepGenerations: options.keepGenerations })
  if (!keep && last?.fingerprint !== fingerprint) await store.setSourceState('last-scan', { fingerprint, generation: result.generation })
  // Saved after the publish, so a source's ETags never point at plugins the store does not hold.
  for (const s of scans) {
    if (s.result.state && JSON.stringify(s.result.state) !== JSON.stringify(s.state)) await store.setSourceState(s.source.key, s.result.state)
  }
  if (result.changed) logger?.info({ generation: result.generation, plugins: entries.length }, 'published plugin generation')
  return { ...result, plugins: entries.length }
}

const keyOf = (c: Candidate) => ({ name: c.check.name, bundleSha256: c.bundle.sha256, source: c.source, origin: c.origin })

let sharedCompiler: Compiler | null = null
const defaultCompiler = () => (sharedCompiler ??= createCompiler({ dataDir: null }))

/**
 * The stored id when this exact version is known (by the tree the source
 * offers, so a TypeScript plugin is not compiled again); otherwise a
 * compiled, validated NewVersion.
 */
async function resolveVersion(store: WritableStore, c: Candidate, validate: ValidateVersion | undefined, compile: Compiler): Promise<{ version: VersionRef; status: NewVersion['status'] } | null> {
  const key = keyOf(c)
  const known = await store.findVersion(key)
  if (known) return { version: known.id, status: known.status }
  const warnings: Warning[] = [...c.bundle.warnings, ...c.check.warnings, ...c.warnings]
  const missing = await store.missingBlobs(c.bundle.files.map((f) => f.sha256))
  // Re-read what the cache skipped and check it still hashes the same: a half-copied tree is never published.
  if (!(await loadMissingBlobs(c.bundle, missing))) return null
  let bundle = c.bundle
  if (statusOf(warnings) !== 'error') {
    const built = await compile({ plugin: c.check.name, files: c.bundle.files, content: async (f) => c.bundle.blobs.get(f.sha256) ?? (await store.blob(f.sha256)) })
    warnings.push(...built.warnings)
    // The stored bundle: the sources plus the compiled files, under one content address.
    if (built.bundle) bundle = { ...c.bundle, sha256: built.bundle.sha256, files: built.bundle.files, blobs: new Map([...c.bundle.blobs, ...built.bundle.blobs]) }
  }
  let registered: Record<string, unknown> | null = null
  if (validate && statusOf(warnings) !== 'error') {
    const dry = await validate({ ...c, bundle }, bundle.blobs)
    warnings.push(...dry.warnings)
    registered = dry.registered
  }
  for (const w of warnings) {
    w.plugin ??= c.check.name
    w.version ??= c.check.manifest ? c.check.version : null
  }
  const status = statusOf(warnings)
  return { status, version: {
    name: key.name, version: c.check.version, bundle: { sha256: bundle.sha256, files: bundle.files }, sourceSha256: key.bundleSha256, blobs: bundle.blobs,
    manifest: (c.check.manifest ?? {}) as Record<string, unknown>, source: c.source, origin: c.origin, signature: c.signature,
    status, registered, warnings,
  } }
}

export type { Generation }
