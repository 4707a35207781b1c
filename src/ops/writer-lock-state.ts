import { readFileSync, statSync, type BigIntStats } from 'node:fs'
import { join } from 'node:path'
import { LOCK_FILE, readHolder, type LockHolder } from '../lock/writer-lock.ts'

export interface WriterLockState {
  file: string
  /** null: unknown (no /proc/locks on this system). */
  held: boolean | null
  /** Pids holding a lock on the file, as /proc/locks shows them (0 when in another pid namespace). */
  pids: number[]
  /** What the last holder recorded in scheduler.lock.json; may be stale when no one holds the lock. */
  recorded: LockHolder | null
}

/**
 * Whether a scheduler holds the writer lock, read from /proc/locks. Looking,
 * not trying: even a brief read lock on scheduler.lock could make a scheduler
 * that starts at that moment exit with code 3.
 */
export function writerLockState(dataDir: string): WriterLockState {
  const file = join(dataDir, LOCK_FILE)
  const recorded = readHolder(file)
  let st: BigIntStats
  try {
    st = statSync(file, { bigint: true })
  } catch {
    return { file, held: false, pids: [], recorded }
  }
  let locks: string
  try {
    locks = readFileSync('/proc/locks', 'utf8')
  } catch {
    return { file, held: null, pids: [], recorded }
  }
  // Kernel dev_t encoding (MAJOR/MINOR of glibc's sys/sysmacros.h); /proc/locks prints "maj:min:inode" in hex:hex:dec.
  const major = Number(((st.dev >> 8n) & 0xfffn) | ((st.dev >> 32n) & ~0xfffn))
  const minor = Number((st.dev & 0xffn) | ((st.dev >> 12n) & ~0xffn))
  const pids: number[] = []
  for (const line of locks.split('\n')) {
    if (line.includes('->')) continue // a waiter, not a holder
    const m = /^\d+:\s+POSIX\s+\S+\s+\S+\s+(-?\d+)\s+([0-9a-f]+):([0-9a-f]+):(\d+)\s/.exec(line)
    if (!m || parseInt(m[2]!, 16) !== major || parseInt(m[3]!, 16) !== minor || BigInt(m[4]!) !== st.ino) continue
    pids.push(Number(m[1]))
  }
  return { file, held: pids.length > 0, pids: [...new Set(pids)], recorded }
}
