import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import Database from 'better-sqlite3'
import { AppError, ExitCode } from '../errors/app-error.ts'
import { nativeBinding } from '../sea/native-binding.ts'
import { createPrivateFile, makePrivateDir, PRIVATE_FILE_MODE } from '../fs/private-files.ts'

export const LOCK_FILE = 'scheduler.lock'

/**
 * How long a refused process waits for the holder's identity. The holder
 * writes it right after it wins (microseconds); schedulers started together
 * also contend briefly for the lock itself, and retry within this time.
 */
const SETTLE_MS = 3000

export interface LockHolder {
  pid: number
  host: string
  startedAt: string
  command: string
}

export interface WriterLock {
  holder: LockHolder
  close(): Promise<void>
}

/**
 * Takes the single-writer lock: an SQLite file held in locking_mode=EXCLUSIVE.
 * SQLite's lock is an fcntl lock, so the kernel frees it when the holder dies,
 * even by kill -9. The holder's identity sits beside it in scheduler.lock.json
 * because a locked database cannot be read by the process that was refused.
 * A refused process names the holder: it waits briefly until the identity it
 * reads is the live holder's, never a stale one or none.
 */
export async function openWriterLock(dataDir: string, command: string): Promise<WriterLock> {
  makePrivateDir(dataDir)
  const file = join(dataDir, LOCK_FILE)
  createPrivateFile(file) // 0600; its -journal takes the same mode
  const deadline = Date.now() + SETTLE_MS
  for (;;) {
    const db = tryLock(file, dataDir)
    if (db) {
      const holder: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command }
      // Whole or not at all: a refused process reads either the previous holder (which it sees is gone) or this one.
      const tmp = `${file}.json.${process.pid}.tmp`
      writeFileSync(tmp, JSON.stringify(holder), { mode: PRIVATE_FILE_MODE })
      renameSync(tmp, `${file}.json`)
      return {
        holder,
        async close() {
          if (db.open) db.close()
        },
      }
    }
    const holder = readHolder(file)
    const live = holder !== null && isLive(holder)
    // Schedulers started together can refuse each other before either holds the lock: try again, briefly.
    if (live || Date.now() >= deadline) throw locked(file, live ? holder : null, holder)
    await sleep(10 + Math.random() * 40)
  }
}

/** The connection holding the lock, or null when another process has it (SQLITE_BUSY). */
function tryLock(file: string, dataDir: string): Database.Database | null {
  const db = new Database(file, { timeout: 0, nativeBinding: nativeBinding(dataDir) })
  try {
    db.pragma('locking_mode = EXCLUSIVE')
    db.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS lock (id INTEGER PRIMARY KEY); COMMIT')
    return db
  } catch (cause) {
    db.close() // in exclusive locking mode even a failed attempt keeps its shared lock until closed
    if ((cause as { code?: string }).code !== 'SQLITE_BUSY') throw cause
    return null
  }
}

/** The recorded holder is the one holding the lock now: alive, if it is on this host (another host's pid cannot be checked). */
function isLive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true
  if (holder.pid === process.pid) return false
  try {
    process.kill(holder.pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' // alive, owned by another user
  }
}

function locked(file: string, holder: LockHolder | null, recorded: LockHolder | null): AppError {
  const describe = (h: LockHolder) => `pid ${h.pid} on host ${h.host}, started ${h.startedAt} (${h.command})`
  const who = holder
    ? describe(holder)
    : recorded
      ? `a process that did not record itself (the last recorded holder, ${describe(recorded)}, is not running on this host)`
      : 'a process that did not record itself in scheduler.lock.json'
  return new AppError(
    'WRITER_LOCKED',
    `another scheduler holds the plugin store's writer lock ${file}: ${who}. Only one scheduler (or \`app plugins sync\`/\`rollback\`) may write at a time; stop it first, or run this command on the scheduler's host.`,
    { exitCode: ExitCode.locked },
  )
}

/** Who holds the lock, as they recorded it (may be stale if no one holds it now). */
export function readHolder(lockFile: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(`${lockFile}.json`, 'utf8')) as LockHolder
  } catch {
    return null
  }
}
