import { type PgClient, type PgPool, type Queryable, withTransaction } from '../postgres/open-postgres.ts'
import { type StoreReader, toPluginVersion, toStoredNotice, type VersionRow } from './store-reader.ts'
import type { BundleFile, Generation, GenerationEntry, PluginVersion, Warning } from './store-types.ts'

interface WarningRow {
  plugin_version: number
  code: Warning['code']
  severity: Warning['severity']
  message: string
  detail: string | null
}

const VERSION = `SELECT id, name, version, status, bundle_sha256, source_sha256, manifest, source, origin, signature, registered,
  published_at FROM plugins.plugin_versions`

/**
 * The read side of the plugin store on `plugins.*`, for every role: SELECT only, so it runs on the worker's and
 * web's connections. What must not mix two publishes (a generation with its versions and warnings) is read in
 * one REPEATABLE READ snapshot, as SQLite reads it in one transaction. Names sort by code point (COLLATE "C"),
 * as SQLite's BINARY collation sorts them, whatever the database's locale.
 */
export function createPostgresStoreReader(pool: PgPool): StoreReader {
  const snapshot = <T>(fn: (c: PgClient) => Promise<T>) =>
    withTransaction(pool, async (c) => {
      await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY')
      return fn(c)
    })
  const currentId = async (db: Queryable) =>
    (await db.query<{ id: number | null }>('SELECT max(id) AS id FROM plugins.generations')).rows[0]!.id

  return {
    currentGeneration: () =>
      snapshot(async (c) => {
        const id = await currentId(c)
        return id === null ? null : readGeneration(c, id)
      }),
    generation: (id) => snapshot((c) => readGeneration(c, id)),
    currentGenerationId: () => currentId(pool),
    async listGenerations(limit = 100) {
      const { rows } = await pool.query<{ id: number; created_at: string; reason: string; n: number }>(
        `SELECT g.id, g.created_at, g.reason, count(gp.name)::int AS n FROM plugins.generations g
          LEFT JOIN plugins.generation_plugins gp ON gp.generation_id = g.id GROUP BY g.id ORDER BY g.id DESC LIMIT $1`,
        [limit],
      )
      return rows.map((g) => ({ id: g.id, createdAt: g.created_at, reason: g.reason, pluginCount: g.n }))
    },
    history: (name) =>
      snapshot(async (c) => {
        const { rows } = await c.query<VersionRow & { gens: string[] }>(
          `SELECT v.*, array(SELECT gp.generation_id FROM plugins.generation_plugins gp WHERE gp.plugin_version = v.id
            ORDER BY gp.generation_id) AS gens FROM (${VERSION} WHERE name = $1) v ORDER BY v.id DESC`,
          [name],
        )
        const warnings = await warningsOf(
          c,
          rows.map((r) => r.id),
        )
        return rows.map((row) => ({ ...toVersion(row, warnings), generations: row.gens.map(Number) }))
      }),
    findVersion: (key) =>
      snapshot(async (c) => {
        // By the stored bundle or by the tree the source offered (a TypeScript plugin's bundle also holds its compiled output).
        const { rows } = await c.query<VersionRow>(
          `${VERSION} WHERE name = $1 AND source = $2 AND origin = $3 AND (bundle_sha256 = $4 OR source_sha256 = $4) ORDER BY id DESC LIMIT 1`,
          [key.name, key.source, key.origin, key.bundleSha256],
        )
        return rows[0] ? toVersion(rows[0], await warningsOf(c, [rows[0].id])) : null
      }),
    async bundle(sha256) {
      const { rows } = await pool.query<{ sha256: string; files: string }>('SELECT sha256, files FROM plugins.bundles WHERE sha256 = $1', [
        sha256,
      ])
      if (!rows[0]) return null
      const files: BundleFile[] = (JSON.parse(rows[0].files) as Array<[string, number, string, number]>).map(([path, mode, sha, size]) => ({
        path,
        mode,
        sha256: sha,
        size,
      }))
      return { sha256: rows[0].sha256, files }
    },
    async blob(sha256) {
      const { rows } = await pool.query<{ data: Buffer }>('SELECT data FROM plugins.blobs WHERE sha256 = $1', [sha256])
      return rows[0]?.data ?? null
    },
    async missingBlobs(sha256s) {
      const { rows } = await pool.query<{ sha256: string }>('SELECT sha256 FROM plugins.blobs WHERE sha256 = ANY($1::text[])', [sha256s])
      const present = new Set(rows.map((r) => r.sha256))
      return new Set(sha256s.filter((s) => !present.has(s)))
    },
    async notices() {
      const { rows } = await pool.query<Record<string, unknown>>('SELECT * FROM plugins.notices ORDER BY key COLLATE "C"')
      return rows.map(toStoredNotice)
    },
    async sourceState(key) {
      const { rows } = await pool.query<{ state: string }>('SELECT state FROM plugins.source_state WHERE source_key = $1', [key])
      return rows[0] ? JSON.parse(rows[0].state) : null
    },
    keptBundles: () =>
      snapshot(async (c) => {
        // A version published as failed (status error) is never loaded, so its bundle need not stay materialized.
        const bundles = await c.query<{ sha: string }>(`SELECT DISTINCT v.bundle_sha256 AS sha FROM plugins.generation_plugins gp
          JOIN plugins.plugin_versions v ON v.id = gp.plugin_version WHERE v.status <> 'error'`)
        const generations = await c.query<{ id: number; created_at: string }>('SELECT id, created_at FROM plugins.generations ORDER BY id')
        return {
          bundles: bundles.rows.map((r) => r.sha),
          generations: generations.rows.map((g) => ({ id: g.id, createdAt: g.created_at })),
        }
      }),
  }
}

async function readGeneration(c: PgClient, id: number): Promise<Generation | null> {
  const g = (
    await c.query<{ id: number; created_at: string; reason: string }>(
      'SELECT id, created_at, reason FROM plugins.generations WHERE id = $1',
      [id],
    )
  ).rows[0]
  if (!g) return null
  const { rows: entries } = await c.query<{ name: string; plugin_version: number; rejected_version: number | null }>(
    'SELECT name, plugin_version, rejected_version FROM plugins.generation_plugins WHERE generation_id = $1 ORDER BY name COLLATE "C"',
    [id],
  )
  const ids = [
    ...new Set(entries.flatMap((e) => (e.rejected_version === null ? [e.plugin_version] : [e.plugin_version, e.rejected_version]))),
  ]
  const versions = new Map((await c.query<VersionRow>(`${VERSION} WHERE id = ANY($1::bigint[])`, [ids])).rows.map((r) => [r.id, r]))
  const warnings = await warningsOf(c, ids)
  const plugins: GenerationEntry[] = entries.map((e) => ({
    ...toVersion(versions.get(e.plugin_version)!, warnings),
    rejected: e.rejected_version === null ? null : toVersion(versions.get(e.rejected_version)!, warnings),
  }))
  return { id: g.id, createdAt: g.created_at, reason: g.reason, plugins }
}

/** Every listed version's ingest warnings in one query, in the order they were written. */
async function warningsOf(c: Queryable, ids: number[]): Promise<Map<number, WarningRow[]>> {
  const byVersion = new Map<number, WarningRow[]>()
  if (!ids.length) return byVersion
  const { rows } = await c.query<WarningRow>(
    'SELECT plugin_version, code, severity, message, detail FROM plugins.ingest_warnings WHERE plugin_version = ANY($1::bigint[]) ORDER BY id',
    [ids],
  )
  for (const w of rows) byVersion.set(w.plugin_version, [...(byVersion.get(w.plugin_version) ?? []), w])
  return byVersion
}

const toVersion = (row: VersionRow, warnings: Map<number, WarningRow[]>): PluginVersion => toPluginVersion(row, warnings.get(row.id) ?? [])
