import { existsSync, statSync } from 'node:fs'
import { openDatabase, type Db } from '../store/open-database.ts'
import type { DoctorCheck } from './doctor-check.ts'

export interface DatabaseSpec {
  label: string
  file: string
  applicationId: number
  schemaVersion: number
  /** What to do when the file does not exist yet. */
  missing: Omit<DoctorCheck, 'name'>
  /** Who brings an older schema forward. */
  migrator: string
}

/** Identity (application_id, schema version), WAL mode and quick_check of one database, opened read-only. */
export function checkDatabase(spec: DatabaseSpec): DoctorCheck[] {
  const name = (what: string) => `${spec.label} ${what}`
  if (!existsSync(spec.file)) return [{ name: name('file'), ...spec.missing }]
  if (statSync(spec.file).size === 0) {
    // Said as it is, not as "missing" nor as a foreign application_id 0.
    return [
      {
        name: name('file'),
        status: spec.missing.status,
        message: `${spec.file} exists but is empty (0 bytes).`,
        fix: `${spec.missing.fix} (${spec.migrator} initializes an empty file.) If it held data before: ${RESTORE_FIX}`,
      },
    ]
  }
  let db: Db
  try {
    db = openDatabase(spec.file, { readonly: true, busyTimeoutMs: 5000 })
  } catch (error) {
    return [
      {
        name: name('file'),
        status: 'fail',
        message: `${spec.file} cannot be opened: ${(error as Error).message}`,
        fix: 'Check its owner and mode (the service user must read and write it), or restore it from a backup.',
      },
    ]
  }
  try {
    return (
      [
        ['identity', identity],
        ['journal', journal],
        ['integrity', integrity],
      ] as const
    ).map(([what, fn]) => {
      try {
        return fn(db, spec, name(what))
      } catch (error) {
        return { name: name(what), status: 'fail', message: `${spec.file} cannot be read: ${(error as Error).message}`, fix: RESTORE_FIX }
      }
    })
  } finally {
    db.close()
  }
}

const RESTORE_FIX = 'Stop every role and restore the file from the last backup (see "Backup and restore" in packaging/README.md).'

function identity(db: Db, spec: DatabaseSpec, name: string): DoctorCheck {
  const appId = db.pragma('application_id', { simple: true }) as number
  const version = db.pragma('user_version', { simple: true }) as number
  const hex = (n: number) => `0x${(n >>> 0).toString(16)}`
  if (appId !== spec.applicationId) {
    return {
      name,
      status: 'fail',
      message: `${spec.file} has application_id ${hex(appId)}, expected ${hex(spec.applicationId)}: it is not an app ${spec.label} file.`,
      fix: 'Move the file away and point --data-dir at the right directory, or restore it from a backup.',
    }
  }
  if (version > spec.schemaVersion) {
    return {
      name,
      status: 'fail',
      message: `${spec.file} has schema version ${version}, newer than this build (${spec.schemaVersion}).`,
      fix: 'Run the newer app that wrote it, or restore a backup made by this version.',
    }
  }
  if (version < spec.schemaVersion) {
    return {
      name,
      status: 'warn',
      message: `${spec.file} has schema version ${version}; this build uses ${spec.schemaVersion}.`,
      fix: `${spec.migrator} migrates it forward on start; take a backup first (app backup <dir>).`,
    }
  }
  return { name, status: 'ok', message: `application_id ${hex(appId)}, schema version ${version}` }
}

function journal(db: Db, spec: DatabaseSpec, name: string): DoctorCheck {
  const mode = String(db.pragma('journal_mode', { simple: true }))
  if (mode === 'wal') return { name, status: 'ok', message: 'WAL mode' }
  return {
    name,
    status: 'fail',
    message: `${spec.file} is in ${mode} journal mode, not WAL: readers and the writer block each other.`,
    fix: `Start ${spec.migrator} once (it switches the file to WAL), or stop every role and run: sqlite3 ${spec.file} 'PRAGMA journal_mode=WAL'`,
  }
}

function integrity(db: Db, spec: DatabaseSpec, name: string): DoctorCheck {
  const rows = db.pragma('quick_check(20)') as Array<{ quick_check: string }>
  const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok')
  if (!problems.length) return { name, status: 'ok', message: 'quick_check ok' }
  return {
    name,
    status: 'fail',
    message: `quick_check found ${problems.length} problem(s) in ${spec.file}: ${problems.slice(0, 3).join('; ')}`,
    fix: RESTORE_FIX,
  }
}
