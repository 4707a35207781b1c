import type { Db } from './open-database.ts'
import { bundleFilesJson } from '../bundle/hash-bundle.ts'
import type { NewVersion, PublishPlan, PublishResult, VersionRef } from './store-types.ts'
import { truncateWal } from './truncate-wal.ts'

export interface StoreWriter {
  /**
   * Writes new blobs, bundles, versions, warnings and one generation in one
   * BEGIN IMMEDIATE transaction. A plan equal to the current generation writes
   * no generation; unchanged notices write nothing at all. Generations older
   * than the last keepGenerations are pruned, except the pinned ones (those
   * that live processes run: their plugin files must stay known).
   */
  publish(plan: PublishPlan, options?: { keepGenerations?: number; pinnedGenerations?: number[] }): Promise<PublishResult>
  /** A new generation with the same plugin set as an old one. */
  rollback(generationId: number): Promise<number>
  setSourceState(key: string, state: Record<string, unknown>): Promise<void>
  /** Checkpoints and truncates the write-ahead log; false when a reader kept it busy. */
  truncateWal(): Promise<boolean>
}

// biome-ignore lint/complexity/noExcessiveLinesPerFunction: an object of short methods over one set of prepared statements
export function createStoreWriter(db: Db): StoreWriter {
  const q = {
    currentId: db.prepare('SELECT max(id) FROM generations').pluck(),
    entries: db.prepare('SELECT name, plugin_version, rejected_version FROM generation_plugins WHERE generation_id = ?'),
    insertBlob: db.prepare('INSERT OR IGNORE INTO blobs (sha256, size, data) VALUES (?, ?, ?)'),
    hasBlob: db.prepare('SELECT 1 FROM blobs WHERE sha256 = ?').pluck(),
    insertBundle: db.prepare('INSERT OR IGNORE INTO bundles (sha256, files, size, file_count) VALUES (?, ?, ?, ?)'),
    findVersion: db.prepare('SELECT id FROM plugin_versions WHERE name = ? AND bundle_sha256 = ? AND source = ? AND origin = ?').pluck(),
    insertVersion: db
      .prepare(`INSERT INTO plugin_versions (name, version, bundle_sha256, source_sha256, manifest, source, origin, signature, status, registered, published_at)
      VALUES (@name, @version, @bundle, @sourceSha256, @manifest, @source, @origin, @signature, @status, @registered, @now) RETURNING id`)
      .pluck(),
    insertWarning: db.prepare(
      'INSERT INTO ingest_warnings (plugin_version, code, severity, message, detail, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    insertGeneration: db.prepare('INSERT INTO generations (created_at, reason) VALUES (?, ?) RETURNING id').pluck(),
    insertEntry: db.prepare('INSERT INTO generation_plugins (generation_id, name, plugin_version, rejected_version) VALUES (?, ?, ?, ?)'),
    copyEntries: db.prepare(
      'INSERT INTO generation_plugins (generation_id, name, plugin_version, rejected_version) SELECT ?, name, plugin_version, NULL FROM generation_plugins WHERE generation_id = ?',
    ),
    generationExists: db.prepare('SELECT 1 FROM generations WHERE id = ?').pluck(),
    notices: db.prepare('SELECT key, code, severity, plugin, version, message, detail, first_seen FROM notices'),
    deleteNotices: db.prepare('DELETE FROM notices'),
    insertNotice: db.prepare(`INSERT INTO notices (key, code, severity, plugin, version, message, detail, first_seen, last_seen, count)
      VALUES (@key, @code, @severity, @plugin, @version, @message, @detail, @firstSeen, @now, 1)`),
    setSourceState: db.prepare('INSERT OR REPLACE INTO source_state (source_key, state, updated_at) VALUES (?, ?, ?)'),
    pruneGenerations: db.prepare(
      'DELETE FROM generations WHERE id <= (SELECT max(id) FROM generations) - ? AND id NOT IN (SELECT value FROM json_each(?))',
    ),
    pruneVersions: db.prepare(`DELETE FROM plugin_versions WHERE id NOT IN (SELECT plugin_version FROM generation_plugins)
      AND id NOT IN (SELECT rejected_version FROM generation_plugins WHERE rejected_version IS NOT NULL)`),
    pruneBundles: db.prepare('DELETE FROM bundles WHERE sha256 NOT IN (SELECT bundle_sha256 FROM plugin_versions)'),
    pruneBlobs: db.prepare(`DELETE FROM blobs WHERE sha256 NOT IN (SELECT f.value ->> 2 FROM bundles, json_each(bundles.files) AS f)`),
  }

  function insertVersion(v: NewVersion, now: string): number {
    const existing = q.findVersion.get(v.name, v.bundle.sha256, v.source, v.origin) as number | undefined
    if (existing !== undefined) return existing
    for (const file of v.bundle.files) {
      const data = v.blobs.get(file.sha256)
      if (data) q.insertBlob.run(file.sha256, data.length, data)
      else if (!q.hasBlob.get(file.sha256))
        throw new Error(`publish of ${v.name}: content of ${file.path} (${file.sha256}) is neither in the plan nor in the store`)
    }
    const size = v.bundle.files.reduce((n, f) => n + f.size, 0)
    q.insertBundle.run(v.bundle.sha256, bundleFilesJson(v.bundle.files), size, v.bundle.files.length)
    const id = q.insertVersion.get({
      name: v.name,
      version: v.version,
      bundle: v.bundle.sha256,
      sourceSha256: v.sourceSha256 ?? v.bundle.sha256,
      manifest: JSON.stringify(v.manifest),
      source: v.source,
      origin: v.origin,
      signature: v.signature ? JSON.stringify(v.signature) : null,
      status: v.status,
      registered: v.registered ? JSON.stringify(v.registered) : null,
      now,
    }) as number
    for (const w of v.warnings) q.insertWarning.run(id, w.code, w.severity, w.message, w.detail ?? null, now)
    return id
  }

  const ref = (r: VersionRef | null | undefined, now: string): number | null =>
    r == null ? null : typeof r === 'number' ? r : insertVersion(r, now)

  const publishTx = db.transaction((plan: PublishPlan, keep: number, pinned: number[]): PublishResult => {
    const now = new Date().toISOString()
    const changedNotices = replaceNotices(plan.notices, now)
    const resolved = plan.entries.map((e) => ({ name: e.name, version: ref(e.version, now)!, rejected: ref(e.rejected, now) }))
    const currentId = q.currentId.get() as number | null
    if (
      currentId !== null &&
      sameEntries(q.entries.all(currentId) as Array<{ name: string; plugin_version: number; rejected_version: number | null }>, resolved)
    ) {
      return { generation: currentId, changed: changedNotices }
    }
    const generation = q.insertGeneration.get(now, plan.reason) as number
    for (const e of resolved) q.insertEntry.run(generation, e.name, e.version, e.rejected)
    if (q.pruneGenerations.run(keep, JSON.stringify(pinned)).changes > 0) {
      q.pruneVersions.run()
      q.pruneBundles.run()
      q.pruneBlobs.run()
    }
    return { generation, changed: true }
  })

  function replaceNotices(notices: PublishPlan['notices'], now: string): boolean {
    const old = noticesByKey(q.notices.all() as StoredNoticeRow[])
    if (sameNotices(old, notices)) return false
    q.deleteNotices.run()
    for (const n of notices) {
      q.insertNotice.run({
        key: n.key,
        code: n.code,
        severity: n.severity,
        plugin: n.plugin,
        version: n.version,
        message: n.message,
        detail: n.detail ?? null,
        firstSeen: old.get(n.key)?.first_seen ?? now,
        now,
      })
    }
    return true
  }

  const rollbackTx = db.transaction((target: number): number => {
    if (!q.generationExists.get(target))
      throw Object.assign(new Error(`generation ${target} does not exist`), { code: 'GENERATION_NOT_FOUND' })
    const generation = q.insertGeneration.get(new Date().toISOString(), `rollback to generation ${target}`) as number
    q.copyEntries.run(generation, target)
    return generation
  })

  /**
   * A transaction that failed (SQLITE_FULL halfway through a large publish) is
   * rolled back, but its frames stay in the WAL file, as big as what it wrote:
   * give that space back at once. The previous generation is untouched.
   */
  const orTruncate = <T>(tx: () => T): T => {
    try {
      return tx()
    } catch (error) {
      truncateWal(db)
      throw error
    }
  }

  return {
    async publish(plan, options = {}) {
      return orTruncate(() => publishTx.immediate(plan, options.keepGenerations ?? 50, options.pinnedGenerations ?? []))
    },
    async rollback(id) {
      return orTruncate(() => rollbackTx.immediate(id))
    },
    async truncateWal() {
      return truncateWal(db)
    },
    async setSourceState(key, state) {
      q.setSourceState.run(key, JSON.stringify(state), new Date().toISOString())
    },
  }
}

/** Whether a generation's entries are the plan's: a plan equal to the current generation writes none (both backends). */
/** A notices row as both backends read it back. */
export type StoredNoticeRow = Record<string, string | null>

export const noticesByKey = (rows: StoredNoticeRow[]) => new Map(rows.map((n) => [n.key!, n]))

/** Whether the stored notices are the new ones (same keys, codes, severities, messages and details): nothing to write. */
export function sameNotices(old: Map<string, StoredNoticeRow>, notices: PublishPlan['notices']): boolean {
  return (
    old.size === notices.length &&
    notices.every((n) => {
      const o = old.get(n.key)
      return o && o.code === n.code && o.message === n.message && o.severity === n.severity && (o.detail ?? null) === (n.detail ?? null)
    })
  )
}

export function sameEntries(
  current: Array<{ name: string; plugin_version: number; rejected_version: number | null }>,
  next: Array<{ name: string; version: number; rejected: number | null }>,
): boolean {
  if (current.length !== next.length) return false
  const byName = new Map(current.map((e) => [e.name, e]))
  return next.every((e) => {
    const c = byName.get(e.name)
    return c !== undefined && c.plugin_version === e.version && (c.rejected_version ?? null) === e.rejected
  })
}
