import type { Db } from './open-database.ts'
import type { Bundle, BundleFile, Generation, GenerationEntry, PluginVersion, StoredNotice, Warning } from './store-types.ts'

export interface StoreReader {
  /** The newest generation, read in one short transaction: never a mix of two. */
  currentGeneration(): Promise<Generation | null>
  generation(id: number): Promise<Generation | null>
  /** Just the newest generation id: cheap enough to poll. */
  currentGenerationId(): Promise<number | null>
  listGenerations(limit?: number): Promise<Array<{ id: number; createdAt: string; reason: string; pluginCount: number }>>
  /** Every version of a plugin the store still holds, newest first, with the generations that used it. */
  history(name: string): Promise<Array<PluginVersion & { generations: number[] }>>
  findVersion(key: { name: string; bundleSha256: string; source: string; origin: string }): Promise<PluginVersion | null>
  bundle(sha256: string): Promise<Bundle | null>
  /** File contents for materializing a bundle. */
  blob(sha256: string): Promise<Buffer | null>
  missingBlobs(sha256s: string[]): Promise<Set<string>>
  notices(): Promise<StoredNotice[]>
  sourceState(key: string): Promise<Record<string, unknown> | null>
  /** What the bundle cache must keep: the bundles a role may load (every kept generation's loadable plugins), and those generations. */
  keptBundles(): Promise<{ bundles: string[]; generations: Array<{ id: number; createdAt: string }> }>
}

/** A plugin_versions row, as both backends store it. */
export interface VersionRow {
  id: number
  name: string
  version: string
  status: PluginVersion['status']
  bundle_sha256: string
  source_sha256: string | null
  manifest: string
  source: string
  origin: string
  signature: string | null
  registered: string | null
  published_at: string
}

/** An ingest_warnings row's fields, without the plugin and version its version row gives. */
export type IngestWarning = Omit<Warning, 'plugin' | 'version'>

/** A plugin_versions row and its ingest warnings as a PluginVersion (both backends). */
export function toPluginVersion(row: VersionRow, ingest: IngestWarning[]): PluginVersion {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    status: row.status,
    bundleSha256: row.bundle_sha256,
    sourceSha256: row.source_sha256 ?? row.bundle_sha256,
    manifest: JSON.parse(row.manifest),
    source: row.source,
    origin: row.origin,
    signature: row.signature ? JSON.parse(row.signature) : null,
    registered: row.registered ? JSON.parse(row.registered) : null,
    publishedAt: row.published_at,
    warnings: ingest.map((w) => ({
      code: w.code,
      severity: w.severity,
      message: w.message,
      detail: w.detail,
      plugin: row.name,
      version: row.version,
    })),
  }
}
/** The plugin_versions ids a generation names (@g): its entries and their rejected updates. */
const GENERATION_VERSIONS = `SELECT plugin_version FROM generation_plugins WHERE generation_id = @g
  UNION SELECT rejected_version FROM generation_plugins WHERE generation_id = @g AND rejected_version IS NOT NULL`

/** Read side of the store. Async at the boundary so a PostgreSQL backend fits behind it. */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: an object of short methods over one set of prepared statements
export function createStoreReader(db: Db): StoreReader {
  const q = {
    currentId: db.prepare('SELECT max(id) AS id FROM generations').pluck(),
    generation: db.prepare('SELECT id, created_at, reason FROM generations WHERE id = ?'),
    entries: db.prepare('SELECT name, plugin_version, rejected_version FROM generation_plugins WHERE generation_id = ? ORDER BY name'),
    warnings: db.prepare('SELECT code, severity, message, detail FROM ingest_warnings WHERE plugin_version = ? ORDER BY id'),
    // A generation's versions (its entries and their rejected updates) and their warnings, each in one query:
    // per-plugin queries made a 1,200-plugin generation 3,600 statements (a stall for a web role that reads it).
    versionsOf: db.prepare(`SELECT * FROM plugin_versions WHERE id IN (${GENERATION_VERSIONS})`),
    warningsOf: db.prepare(
      `SELECT plugin_version, code, severity, message, detail FROM ingest_warnings WHERE plugin_version IN (${GENERATION_VERSIONS}) ORDER BY id`,
    ),
    generations: db.prepare(`SELECT g.id, g.created_at, g.reason, count(gp.name) AS n FROM generations g
      LEFT JOIN generation_plugins gp ON gp.generation_id = g.id GROUP BY g.id ORDER BY g.id DESC LIMIT ?`),
    history:
      db.prepare(`SELECT v.*, (SELECT json_group_array(generation_id) FROM generation_plugins gp WHERE gp.plugin_version = v.id) AS gens
      FROM plugin_versions v WHERE v.name = ? ORDER BY v.id DESC`),
    // By the stored bundle or by the tree the source offered (a TypeScript plugin's bundle also holds its compiled output).
    find: db.prepare(`SELECT * FROM plugin_versions WHERE name = @name AND source = @source AND origin = @origin
      AND (bundle_sha256 = @sha OR source_sha256 = @sha) ORDER BY id DESC LIMIT 1`),
    bundle: db.prepare('SELECT sha256, files FROM bundles WHERE sha256 = ?'),
    blob: db.prepare('SELECT data FROM blobs WHERE sha256 = ?').pluck(),
    hasBlob: db.prepare('SELECT 1 FROM blobs WHERE sha256 = ?').pluck(),
    notices: db.prepare('SELECT * FROM notices ORDER BY key'),
    sourceState: db.prepare('SELECT state FROM source_state WHERE source_key = ?').pluck(),
    // A version published as failed (status error) is never loaded, so its bundle need not stay materialized.
    keptBundles: db
      .prepare(`SELECT DISTINCT v.bundle_sha256 FROM generation_plugins gp JOIN plugin_versions v ON v.id = gp.plugin_version
      WHERE v.status != 'error'`)
      .pluck(),
    keptGenerations: db.prepare('SELECT id, created_at FROM generations ORDER BY id'),
  }

  const toVersion = (row: VersionRow, ingest = q.warnings.all(row.id) as IngestWarning[]) => toPluginVersion(row, ingest)

  const readGeneration = (id: number): Generation | null => {
    const g = q.generation.get(id) as { id: number; created_at: string; reason: string } | undefined
    if (!g) return null
    const ingest = new Map<number, IngestWarning[]>()
    for (const w of q.warningsOf.all({ g: id }) as Array<IngestWarning & { plugin_version: number }>) {
      const list = ingest.get(w.plugin_version)
      if (list) list.push(w)
      else ingest.set(w.plugin_version, [w])
    }
    const versions = new Map<number, PluginVersion>()
    for (const row of q.versionsOf.all({ g: id }) as VersionRow[]) versions.set(row.id, toVersion(row, ingest.get(row.id) ?? []))
    const plugins: GenerationEntry[] = (
      q.entries.all(id) as Array<{ name: string; plugin_version: number; rejected_version: number | null }>
    ).map((e) => ({ ...versions.get(e.plugin_version)!, rejected: e.rejected_version ? versions.get(e.rejected_version)! : null }))
    return { id: g.id, createdAt: g.created_at, reason: g.reason, plugins }
  }
  // One deferred read transaction: a concurrent publish is seen whole or not at all.
  const readCurrent = db.transaction(() => {
    const id = q.currentId.get() as number | null
    return id === null ? null : readGeneration(id)
  })
  const readOne = db.transaction(readGeneration)
  const readKept = db.transaction(() => ({
    bundles: q.keptBundles.all() as string[],
    generations: (q.keptGenerations.all() as Array<{ id: number; created_at: string }>).map((g) => ({ id: g.id, createdAt: g.created_at })),
  }))

  return {
    async currentGeneration() {
      return readCurrent()
    },
    async generation(id) {
      return readOne(id)
    },
    async currentGenerationId() {
      return (q.currentId.get() as number | null) ?? null
    },
    async listGenerations(limit = 100) {
      return (q.generations.all(limit) as Array<{ id: number; created_at: string; reason: string; n: number }>).map((g) => ({
        id: g.id,
        createdAt: g.created_at,
        reason: g.reason,
        pluginCount: g.n,
      }))
    },
    async history(name) {
      return (q.history.all(name) as Array<VersionRow & { gens: string }>).map((row) => ({
        ...toVersion(row),
        generations: JSON.parse(row.gens) as number[],
      }))
    },
    async findVersion(key) {
      const row = q.find.get({ name: key.name, source: key.source, origin: key.origin, sha: key.bundleSha256 }) as VersionRow | undefined
      return row ? toVersion(row) : null
    },
    async bundle(sha256) {
      const row = q.bundle.get(sha256) as { sha256: string; files: string } | undefined
      if (!row) return null
      const files: BundleFile[] = (JSON.parse(row.files) as Array<[string, number, string, number]>).map(([path, mode, sha, size]) => ({
        path,
        mode,
        sha256: sha,
        size,
      }))
      return { sha256: row.sha256, files }
    },
    async blob(sha256) {
      return (q.blob.get(sha256) as Buffer | undefined) ?? null
    },
    async missingBlobs(sha256s) {
      return new Set(sha256s.filter((s) => !q.hasBlob.get(s)))
    },
    async notices() {
      return (q.notices.all() as Array<Record<string, unknown>>).map(toStoredNotice)
    },
    async sourceState(key) {
      const s = q.sourceState.get(key) as string | undefined
      return s ? JSON.parse(s) : null
    },
    async keptBundles() {
      return readKept()
    },
  }
}

/** A notices row as the store hands it out (both backends: the columns are the same). */
export function toStoredNotice(n: Record<string, unknown>): StoredNotice {
  return {
    key: n.key as string,
    code: n.code as Warning['code'],
    severity: n.severity as Warning['severity'],
    plugin: n.plugin as string | null,
    version: n.version as string | null,
    message: n.message as string,
    detail: n.detail as string | null,
    firstSeen: n.first_seen as string,
    lastSeen: n.last_seen as string,
    count: n.count as number,
  }
}
