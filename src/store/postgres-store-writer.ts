import { bundleFilesJson } from '../bundle/hash-bundle.ts'
import { type PgClient, type PgPool, withTransaction } from '../postgres/open-postgres.ts'
import { GENERATION_CHANNEL, type PluginStoreWriter } from './plugin-store-port.ts'
import type { NewVersion, PublishPlan, PublishResult, VersionRef } from './store-types.ts'
import { noticesByKey, sameEntries, sameNotices, type StoredNoticeRow } from './store-writer.ts'

// pg_advisory_xact_lock('APP1', 2): publishes and rollbacks run one after another, as BEGIN IMMEDIATE orders
// them on SQLite ('APP1', 1 is the scheduler's writer lock).
const LOCK_CLASS = 0x41505031
const PUBLISH_LOCK = 2
/** Blob content per INSERT: few round trips, and no statement far larger than a plugin's usual file. */
const BLOB_BATCH_BYTES = 4 * 1024 * 1024

interface EntryRow {
  name: string
  plugin_version: number
  rejected_version: number | null
}

/**
 * The write side of the plugin store on `plugins.*`, on the scheduler's connection (the owner of the schema).
 * A publish is one transaction: a new generation, with every row it needs, commits whole or not at all, also
 * when the process dies halfway (the server rolls back a dropped connection's transaction). Its
 * pg_notify('app_generation', id) is delivered on commit, so readers never hear of a generation they cannot
 * read. Blobs are content-addressed: one already stored is not sent again.
 */
export function createPostgresStoreWriter(pool: PgPool): PluginStoreWriter {
  const locked = <T>(fn: (c: PgClient) => Promise<T>) =>
    withTransaction(pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_CLASS, PUBLISH_LOCK])
      return fn(c)
    })
  return {
    publish: (plan, options = {}) => locked((c) => publishIn(c, plan, options.keepGenerations ?? 50, options.pinnedGenerations ?? [])),
    rollback: (target) =>
      locked(async (c) => {
        const { rowCount } = await c.query('SELECT 1 FROM plugins.generations WHERE id = $1', [target])
        if (!rowCount) throw Object.assign(new Error(`generation ${target} does not exist`), { code: 'GENERATION_NOT_FOUND' })
        const generation = await insertGeneration(c, `rollback to generation ${target}`, new Date().toISOString())
        await c.query(
          `INSERT INTO plugins.generation_plugins (generation_id, name, plugin_version, rejected_version)
            SELECT $1::bigint, name, plugin_version, NULL FROM plugins.generation_plugins WHERE generation_id = $2`,
          [generation, target],
        )
        return generation
      }),
    async setSourceState(key, state) {
      await pool.query(
        `INSERT INTO plugins.source_state (source_key, state, updated_at) VALUES ($1, $2, $3)
          ON CONFLICT (source_key) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at`,
        [key, JSON.stringify(state), new Date().toISOString()],
      )
    },
    // No write-ahead log of ours to give back: the server's autovacuum reclaims what a failed publish wrote.
    truncateWal: async () => true,
  }
}

async function publishIn(c: PgClient, plan: PublishPlan, keep: number, pinned: number[]): Promise<PublishResult> {
  const now = new Date().toISOString()
  const changedNotices = await replaceNotices(c, plan.notices, now)
  const resolved: Array<{ name: string; version: number; rejected: number | null }> = []
  for (const e of plan.entries)
    resolved.push({ name: e.name, version: (await ref(c, e.version, now))!, rejected: await ref(c, e.rejected, now) })
  const currentId = (await c.query<{ id: number | null }>('SELECT max(id) AS id FROM plugins.generations')).rows[0]!.id
  if (currentId !== null) {
    const current = await c.query<EntryRow>(
      'SELECT name, plugin_version, rejected_version FROM plugins.generation_plugins WHERE generation_id = $1',
      [currentId],
    )
    if (sameEntries(current.rows, resolved)) return { generation: currentId, changed: changedNotices }
  }
  const generation = await insertGeneration(c, plan.reason, now)
  await c.query(
    `INSERT INTO plugins.generation_plugins (generation_id, name, plugin_version, rejected_version)
      SELECT $1::bigint, * FROM unnest($2::text[], $3::bigint[], $4::bigint[])`,
    [generation, resolved.map((e) => e.name), resolved.map((e) => e.version), resolved.map((e) => e.rejected)],
  )
  await prune(c, keep, pinned)
  return { generation, changed: true }
}

/**
 * Ids follow on from the newest, as SQLite's rowids do (an identity sequence would skip the ids of rolled-back
 * publishes); safe because publishes hold the publish lock. The notification goes out on commit.
 */
async function insertGeneration(c: PgClient, reason: string, now: string): Promise<number> {
  const { rows } = await c.query<{ id: number }>(
    `INSERT INTO plugins.generations (id, created_at, reason)
      SELECT coalesce(max(id), 0) + 1, $1::text, $2::text FROM plugins.generations RETURNING id`,
    [now, reason],
  )
  const id = rows[0]!.id
  await c.query('SELECT pg_notify($1, $2)', [GENERATION_CHANNEL, String(id)])
  return id
}

async function ref(c: PgClient, r: VersionRef | null | undefined, now: string): Promise<number | null> {
  return r == null ? null : typeof r === 'number' ? r : insertVersion(c, r, now)
}

async function insertVersion(c: PgClient, v: NewVersion, now: string): Promise<number> {
  const existing = await c.query<{ id: number }>(
    'SELECT id FROM plugins.plugin_versions WHERE name = $1 AND bundle_sha256 = $2 AND source = $3 AND origin = $4',
    [v.name, v.bundle.sha256, v.source, v.origin],
  )
  if (existing.rows[0]) return existing.rows[0].id
  await insertBlobs(c, v)
  const size = v.bundle.files.reduce((n, f) => n + f.size, 0)
  await c.query('INSERT INTO plugins.bundles (sha256, files, size, file_count) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING', [
    v.bundle.sha256,
    bundleFilesJson(v.bundle.files),
    size,
    v.bundle.files.length,
  ])
  const { rows } = await c.query<{ id: number }>(
    `INSERT INTO plugins.plugin_versions (name, version, bundle_sha256, source_sha256, manifest, source, origin, signature, status,
      registered, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
    [
      v.name,
      v.version,
      v.bundle.sha256,
      v.sourceSha256 ?? v.bundle.sha256,
      JSON.stringify(v.manifest),
      v.source,
      v.origin,
      v.signature ? JSON.stringify(v.signature) : null,
      v.status,
      v.registered ? JSON.stringify(v.registered) : null,
      now,
    ],
  )
  const id = rows[0]!.id
  if (v.warnings.length)
    await c.query(
      `INSERT INTO plugins.ingest_warnings (plugin_version, code, severity, message, detail, created_at)
        SELECT $1::bigint, w.code, w.severity, w.message, w.detail, $6::text FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])
        WITH ORDINALITY AS w(code, severity, message, detail, n) ORDER BY w.n`,
      [
        id,
        ...(['code', 'severity', 'message'] as const).map((k) => v.warnings.map((w) => w[k])),
        v.warnings.map((w) => w.detail ?? null),
        now,
      ],
    )
  return id
}

/** Only the blobs the store lacks cross the wire, up to 4 MiB per statement (one per file: 200 small files took 1.6x as long). */
async function insertBlobs(c: PgClient, v: NewVersion): Promise<void> {
  const shas = [...new Set(v.bundle.files.map((f) => f.sha256))]
  const { rows } = await c.query<{ sha256: string }>('SELECT sha256 FROM plugins.blobs WHERE sha256 = ANY($1::text[])', [shas])
  const stored = new Set(rows.map((r) => r.sha256))
  let batch = new Map<string, Buffer>()
  let bytes = 0
  const flush = async () => {
    if (batch.size)
      await c.query(
        `INSERT INTO plugins.blobs (sha256, size, data) SELECT sha256, length(data), data FROM unnest($1::text[], $2::bytea[]) AS b(sha256, data)
          ON CONFLICT (sha256) DO NOTHING`,
        [[...batch.keys()], [...batch.values()]],
      )
    batch = new Map()
    bytes = 0
  }
  for (const file of v.bundle.files) {
    if (stored.has(file.sha256) || batch.has(file.sha256)) continue
    const data = v.blobs.get(file.sha256)
    if (!data) throw new Error(`publish of ${v.name}: content of ${file.path} (${file.sha256}) is neither in the plan nor in the store`)
    if (bytes + data.length > BLOB_BATCH_BYTES) await flush()
    batch.set(file.sha256, data)
    bytes += data.length
  }
  await flush()
}

/** Generations older than the last `keep` go, except pinned ones; then what only they used. As SQLite prunes. */
async function prune(c: PgClient, keep: number, pinned: number[]): Promise<void> {
  const { rowCount } = await c.query(
    `DELETE FROM plugins.generations WHERE id <= (SELECT max(id) FROM plugins.generations) - $1 AND NOT (id = ANY($2::bigint[]))`,
    [keep, pinned],
  )
  if (!rowCount) return
  await c.query(`DELETE FROM plugins.plugin_versions WHERE id NOT IN (SELECT plugin_version FROM plugins.generation_plugins)
    AND id NOT IN (SELECT rejected_version FROM plugins.generation_plugins WHERE rejected_version IS NOT NULL)`)
  await c.query('DELETE FROM plugins.bundles WHERE sha256 NOT IN (SELECT bundle_sha256 FROM plugins.plugin_versions)')
  await c.query(`DELETE FROM plugins.blobs WHERE sha256 NOT IN
    (SELECT f ->> 2 FROM plugins.bundles, jsonb_array_elements(plugins.bundles.files::jsonb) AS f)`)
}

/** Scan-level warnings replace the stored set; unchanged, nothing is written. A repeat keeps its first-seen time. */
async function replaceNotices(c: PgClient, notices: PublishPlan['notices'], now: string): Promise<boolean> {
  const { rows } = await c.query<StoredNoticeRow>(
    'SELECT key, code, severity, plugin, version, message, detail, first_seen FROM plugins.notices',
  )
  const old = noticesByKey(rows)
  if (sameNotices(old, notices)) return false
  await c.query('DELETE FROM plugins.notices')
  for (const n of notices)
    await c.query(
      `INSERT INTO plugins.notices (key, code, severity, plugin, version, message, detail, first_seen, last_seen, count)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1)`,
      [n.key, n.code, n.severity, n.plugin, n.version, n.message, n.detail ?? null, old.get(n.key)?.first_seen ?? now, now],
    )
  return true
}
