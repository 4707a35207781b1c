import { statSync } from 'node:fs'
import type { Db } from './open-database.ts'

/** What marks an SQLite file as one of ours, or as nothing yet. */
export interface DatabaseIdentity {
  applicationId: number
  userVersion: number
  /** Names of the tables, indexes, views and triggers in it. */
  objects: string[]
}

export function readIdentity(db: Db): DatabaseIdentity {
  return {
    applicationId: db.pragma('application_id', { simple: true }) as number,
    userVersion: db.pragma('user_version', { simple: true }) as number,
    objects: db.prepare('SELECT name FROM sqlite_schema ORDER BY name').pluck().all() as string[],
  }
}

/**
 * Ours to initialize: application_id and schema version unset and nothing in
 * it (what our own open leaves when a role stops between switching a new file
 * to WAL and migrating it). Anything else without our application_id belongs
 * to someone else.
 */
export const isBlank = (id: DatabaseIdentity) => id.applicationId === 0 && id.userVersion === 0 && id.objects.length === 0

/** "it holds tables of another application (customers, orders, ...)" for refusal messages; empty when it holds none. */
export function foreignContent(id: DatabaseIdentity): string {
  if (!id.objects.length) return ''
  const shown = id.objects.slice(0, 5).join(', ')
  return `; it holds ${id.objects.length} table(s) or index(es) of another application (${shown}${id.objects.length > 5 ? ', ...' : ''})`
}

/** Size in bytes, or null when the file does not exist. */
export function fileSize(file: string): number | null {
  try {
    return statSync(file).size
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

/** The SQLite error code of an error from better-sqlite3 ('SQLITE_NOTADB', 'SQLITE_CORRUPT', ...), if it has one. */
export const sqliteCode = (error: unknown): string | undefined => (error as { code?: string } | null)?.code
