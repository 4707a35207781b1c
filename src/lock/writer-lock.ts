import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { AppError, ExitCode } from '../errors/app-error.ts'
import { nativeBinding } from '../sea/native-binding.ts'

export const LOCK_FILE = 'scheduler.lock'

export interface LockHolder {
  pid: number
  host: string
  startedAt: string
  command: string
}

export interface WriterLock {
  holder: LockHolder
  release(): Promise<void>
}

/**
 * Takes the single-writer lock: an SQLite file held in locking_mode=EXCLUSIVE.
 * SQLite's lock is an fcntl lock, so the kernel frees it when the holder dies,
 * even by kill -9. The holder's identity sits beside it in scheduler.lock.json
 * because a locked database cannot be read by the process that was refused.
 */
export async function acquireWriterLock(dataDir: string, command: string): Promise<WriterLock> {
  mkdirSync(dataDir, { recursive: true })
  const file = join(dataDir, LOCK_FILE)
  const db = new Database(file, { timeout: 0, nativeBinding: nativeBinding(dataDir) })
  try {
    db.pragma('locking_mode = EXCLUSIVE')
    db.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS lock (id INTEGER PRIMARY KEY); COMMIT')
  } catch (cause) {
    db.close()
    if ((cause as { code?: string }).code !== 'SQLITE_BUSY') throw cause
    const holder = readHolder(file)
    const who = holder ? `pid ${holder.pid} on host ${holder.host}, started ${holder.startedAt} (${holder.command})` : 'an unknown process'
    throw new AppError('WRITER_LOCKED', `another scheduler holds the plugin store's writer lock ${file}: ${who}. Only one scheduler (or \`app plugins sync\`/\`rollback\`) may write at a time; stop it first, or run this command on the scheduler's host.`, { exitCode: ExitCode.locked, cause })
  }
  const holder: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command }
  writeFileSync(`${file}.json.tmp`, JSON.stringify(holder))
  renameSync(`${file}.json.tmp`, `${file}.json`)
  return {
    holder,
    async release() {
      if (db.open) db.close()
    },
  }
}

/** Who holds the lock, as they recorded it (may be stale if no one holds it now). */
export function readHolder(lockFile: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(`${lockFile}.json`, 'utf8')) as LockHolder
  } catch {
    return null
  }
}
