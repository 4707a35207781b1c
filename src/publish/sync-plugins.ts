import { dirname } from 'node:path'
import { sha256 } from '../bundle/hash-bundle.ts'
import { diskFullError, formatBytes } from '../fs/disk-full-error.ts'
import { createCompiler, type Compiler } from '../compile/create-compiler.ts'
import { loadMissingBlobs } from '../bundle/read-bundle.ts'
import type { Logger } from '../log/create-logger.ts'
import type { Candidate, Notice, PluginSource, ScanResult, ValidateVersion } from '../sources/source-types.ts'
import type { StoreReader } from '../store/store-reader.ts'
import type { StoreWriter } from '../store/store-writer.ts'
import type { Generation, NewVersion, PublishPlan, VersionRef, Warning } from '../store/store-types.ts'
import { readDisabledPlugins } from './disabled-plugins.ts'
import { refuseDowngrade } from './refuse-downgrade.ts'

/** The plugin store a publish reads and writes: plugins.db (which has a `file`) or the PostgreSQL port. */
export type PublishStore = StoreReader & StoreWriter & { readonly file?: string }

export interface SyncOptions {
  store: PublishStore
  /** Where the bundle cache is, for the advice of a full disk (default: the directory of plugins.db). */
  dataDir?: string
  sources: PluginSource[]
  validate?: ValidateVersion
  /** Compiles TypeScript plugins before their dry run; by default esbuild from the esbuild package (source and tests). */
  compile?: Compiler
  keepGenerations?: number
  /** Generations the publish must not prune however old: those live processes run (read just before publishing). */
  pinnedGenerations?: () => Promise<number[]>
  reason?: string
  logger?: Logger
  onProgress?: (done: number, total: number) => void
  /**
   * Plugins just enabled again: taken from the sources even while a rolled-back set stands
   * (which otherwise keeps the current generation's plugins until a source changes).
   */
  bringBack?: Set<string>
}

export interface SyncResult {
  generation: number | null
  changed: boolean
  /** Set when files were still being written: nothing was published, try again after this many ms. */
  unsettledMs?: number
  /** A source saw a change under a second old: the sync loop scans once more then (ScanResult.recheckMs). */
  recheckMs?: number
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
  try {
    const rechecks: number[] = []
    const result = await syncPass(options, rechecks)
    return rechecks.length ? { ...result, recheckMs: Math.max(...rechecks) } : result
  } catch (error) {
    const dataDir = dataDirOf(options)
    throw (dataDir ? diskFullError(error, { dataDir }) : null) ?? error
  }
}

const dataDirOf = (o: Pick<SyncOptions, 'store' | 'dataDir'>): string | null => o.dataDir ?? (o.store.file ? dirname(o.store.file) : null)

// biome-ignore lint/complexity/noExcessiveLinesPerFunction: one publish pass reads top to bottom (scan, choose, check, publish); split, it would pass a dozen values around
async function syncPass(options: SyncOptions, rechecks: number[]): Promise<SyncResult> {
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
  for (const s of scans) if (s.result.recheckMs) rechecks.push(s.result.recheckMs)
  const unsettledMs = Math.max(0, ...scans.map((s) => s.result.unsettledMs ?? 0))
  if (unsettledMs > 0) return { generation: null, changed: false, unsettledMs, plugins: 0 }

  const current = await store.currentGeneration()
  // Disabled by an operator: left out of every generation, whatever the sources offer, until enabled.
  const disabled = await readDisabledPlugins(store)
  for (const name of options.bringBack ?? []) delete disabled[name] // being enabled: its state is saved once this pass has published it
  const notices: Notice[] = scans.flatMap((s) => s.result.notices)
  const winners = new Map<string, Candidate>()
  const sourceOf = new Map<Candidate, PluginSource>()
  for (const { source, result } of scans) {
    for (const c of result.candidates) {
      sourceOf.set(c, source)
      const winner = winners.get(c.check.name)
      if (!winner) {
        winners.set(c.check.name, c)
        continue
      }
      notices.push({
        key: `NAME_CONFLICT:${c.source}:${c.origin}`,
        code: 'NAME_CONFLICT',
        severity: 'error',
        plugin: c.check.name,
        version: c.check.version,
        message: `two plugins are named "${c.check.name}": ${winner.origin} (${winner.source}) is used and ${c.origin} (${c.source}) is ignored. Plugin names must be unique across sources; rename or remove one.`,
        detail: c.origin,
      })
    }
  }

  // The fingerprint below is of what the sources offer, disabled plugins included: disabling one is not a source change.
  const offered = [...winners.values()]
  for (const name of Object.keys(disabled)) winners.delete(name)
  const entries: PublishPlan['entries'] = []
  let done = 0
  const previousByName = new Map(current?.plugins.map((p) => [p.name, p]))
  for (const [name, candidate] of [...winners].sort(([a], [b]) => (a < b ? -1 : 1))) {
    options.onProgress?.(++done, winners.size)
    const previous = previousByName.get(name)
    // Refused before the dry run: an older release is not even run, and the current version stays.
    const downgrade = refuseDowngrade(candidate, previous, sourceOf.get(candidate)?.allowDowngrade === true)
    if (downgrade) {
      notices.push(downgrade)
      entries.push({ name, version: previous!.id, rejected: null })
      continue
    }
    const resolved = await resolveVersion(options, candidate, options.compile ?? defaultCompiler(), winners.size - done)
    if (!resolved) return { generation: null, changed: false, unsettledMs: 250, plugins: 0 } // changed under us
    const { version, status } = resolved
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
    if (!winners.has(p.name) && !disabled[p.name] && unreachable.has(p.source))
      entries.push({ name: p.name, version: p.id, rejected: p.rejected?.id ?? null })
  }
  // After `app plugins rollback`, the rolled-back set stands until a source changes.
  const fingerprint = sha256(
    JSON.stringify(offered.map(keyOf).concat([...unreachable].map((u) => ({ name: u, bundleSha256: '', source: u, origin: '' })))),
  )
  const last = await store.sourceState('last-scan')
  const keep = current && last?.fingerprint === fingerprint && last.generation !== current.id
  const kept = keep ? current.plugins.map((p) => ({ name: p.name, version: p.id, rejected: p.rejected?.id ?? null })) : null
  const plan = (
    kept ? [...kept, ...entries.filter((e) => options.bringBack?.has(e.name) && !kept.some((k) => k.name === e.name))] : entries
  ).filter((e) => !disabled[e.name])
  const result = await store
    .publish(
      { reason: options.reason ?? 'sync', entries: plan, notices },
      { keepGenerations: options.keepGenerations, pinnedGenerations: await options.pinnedGenerations?.() },
    )
    .catch((error) => {
      const { versions, bytes } = newContent(plan)
      // Each new byte goes to the WAL first, then into plugins.db at the checkpoint. (PostgreSQL's disk is the server's.)
      if (!store.file) throw error
      throw (
        diskFullError(error, {
          dataDir: dirname(store.file),
          path: store.file,
          neededBytes: 2 * bytes,
          doing: `publishing ${versions} new plugin version(s) with ${formatBytes(bytes)} of new files`,
        }) ?? error
      )
    })
  if (!keep && last?.fingerprint !== fingerprint) await store.setSourceState('last-scan', { fingerprint, generation: result.generation })
  // Saved after the publish, so a source's ETags never point at plugins the store does not hold.
  for (const s of scans) {
    if (s.result.state && JSON.stringify(s.result.state) !== JSON.stringify(s.state))
      await store.setSourceState(s.source.key, s.result.state)
  }
  if (result.changed) logger?.info({ generation: result.generation, plugins: entries.length }, 'published plugin generation')
  return { ...result, plugins: entries.length }
}

/** New versions in a plan and the bytes of their files (the blobs the plan carries). */
function newContent(plan: PublishPlan['entries']): { versions: number; bytes: number } {
  const blobs = new Map<string, number>()
  let versions = 0
  for (const e of plan) {
    for (const v of [e.version, e.rejected]) {
      if (v == null || typeof v === 'number') continue
      versions++
      for (const [sha, data] of v.blobs) blobs.set(sha, data.length)
    }
  }
  return { versions, bytes: [...blobs.values()].reduce((a, b) => a + b, 0) }
}

const keyOf = (c: Candidate) => ({ name: c.check.name, bundleSha256: c.bundle.sha256, source: c.source, origin: c.origin })

let sharedCompiler: Compiler | null = null
const defaultCompiler = () => (sharedCompiler ??= createCompiler({ dataDir: null }))

/**
 * The stored id when this exact version is known (by the tree the source
 * offers, so a TypeScript plugin is not compiled again); otherwise a
 * compiled, validated NewVersion.
 */
async function resolveVersion(
  options: Pick<SyncOptions, 'store' | 'dataDir' | 'validate'>,
  c: Candidate,
  compile: Compiler,
  ahead: number,
): Promise<{ version: VersionRef; status: NewVersion['status'] } | null> {
  const { store, validate } = options
  const key = keyOf(c)
  const known = await store.findVersion(key)
  if (known) return { version: known.id, status: known.status }
  const warnings: Warning[] = [...c.bundle.warnings, ...c.check.warnings, ...c.warnings]
  const missing = await store.missingBlobs(c.bundle.files.map((f) => f.sha256))
  // Re-read what the cache skipped and check it still hashes the same: a half-copied tree is never published.
  if (!(await loadMissingBlobs(c.bundle, missing))) return null
  let bundle = c.bundle
  if (statusOf(warnings) !== 'error') {
    const built = await compile({
      plugin: c.check.name,
      files: c.bundle.files,
      content: async (f) => c.bundle.blobs.get(f.sha256) ?? (await store.blob(f.sha256)),
    })
    warnings.push(...built.warnings)
    // The stored bundle: the sources plus the compiled files, under one content address.
    if (built.bundle)
      bundle = {
        ...c.bundle,
        sha256: built.bundle.sha256,
        files: built.bundle.files,
        blobs: new Map([...c.bundle.blobs, ...built.bundle.blobs]),
      }
  }
  let registered: Record<string, unknown> | null = null
  if (validate && statusOf(warnings) !== 'error') {
    const dry = await validate({ ...c, bundle }, bundle.blobs, { ahead }).catch((error) => {
      const bytes = bundle.files.reduce((n, f) => n + f.size, 0)
      const dataDir = dataDirOf(options)
      if (!dataDir) throw error
      throw (
        diskFullError(error, {
          dataDir,
          neededBytes: bytes,
          doing: `writing plugin "${c.check.name}" into the cache for its publish dry run`,
        }) ?? error
      )
    })
    warnings.push(...dry.warnings)
    registered = dry.registered
  }
  for (const w of warnings) {
    w.plugin ??= c.check.name
    w.version ??= c.check.manifest ? c.check.version : null
  }
  const status = statusOf(warnings)
  return {
    status,
    version: {
      name: key.name,
      version: c.check.version,
      bundle: { sha256: bundle.sha256, files: bundle.files },
      sourceSha256: key.bundleSha256,
      blobs: bundle.blobs,
      manifest: (c.check.manifest ?? {}) as Record<string, unknown>,
      source: c.source,
      origin: c.origin,
      signature: c.signature,
      status,
      registered,
      warnings,
    },
  }
}

export type { Generation }
