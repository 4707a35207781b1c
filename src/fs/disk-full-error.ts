import { existsSync, lstatSync, readdirSync, statfsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Logger } from '../log/create-logger.ts'
import { mountFor, realExisting } from './mount-info.ts'
import { AppError } from '../errors/app-error.ts'

/** "No room": ENOSPC (the filesystem is full), EDQUOT (the user's quota is), SQLITE_FULL (SQLite's word for both). */
const FULL_CODES = ['SQLITE_FULL', 'ENOSPC', 'EDQUOT'] as const
/**
 * SQLite reports some writes that ran out of room as I/O errors (growing the
 * -shm file gives SQLITE_IOERR_SHMSIZE): those count as "full" only when the
 * filesystem really has next to nothing left.
 */
const NEARLY_FULL_BYTES = 64 * 1024

export interface DiskFullContext {
  /** The data directory: what the advice names (its cache, its WAL files). */
  dataDir: string
  /** What was being written, when known better than the data directory. */
  path?: string
  /** About how many more bytes the operation needed, where known. */
  neededBytes?: number
  /** What was being done, e.g. "publishing 2 new plugin versions". */
  doing?: string
}

/** The code that makes `error` (or an error in its cause chain) a "disk full", or null. */
export function diskFullCode(error: unknown, dataDir?: string): string | null {
  for (let e = error, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (e instanceof AppError) return code === 'DISK_FULL' ? code : null
    if (typeof code === 'string' && (FULL_CODES as readonly string[]).includes(code)) return code
    if (typeof code === 'string' && code.startsWith('SQLITE_IOERR') && dataDir && freeBytes(dataDir) < NEARLY_FULL_BYTES) return code
    if (e instanceof AggregateError) {
      const inner = e.errors.map((x) => diskFullCode(x, dataDir)).find(Boolean)
      if (inner) return inner
    }
  }
  return null
}

/**
 * The one mapping of "disk full" errors to what the CLI and the roles report:
 * an AppError (DISK_FULL, exit 1) saying which filesystem is full, how much is
 * free, about how much was needed, and what can be deleted. Returns null when
 * `error` is something else, so callers write `throw diskFullError(e, ctx) ?? e`.
 */
export function diskFullError(error: unknown, ctx: DiskFullContext): AppError | null {
  if (error instanceof AppError) return error.code === 'DISK_FULL' ? error : null
  const code = diskFullCode(error, ctx.dataDir)
  if (!code) return null
  const path = ctx.path ?? pathOf(error) ?? ctx.dataDir
  const where = filesystemOf(path)
  const quota =
    code === 'EDQUOT'
      ? ' The disk quota of the user running app is used up (the filesystem itself may have room; `quota -s` shows the quota).'
      : ''
  const needed = ctx.neededBytes ? ` It needed about ${formatBytes(ctx.neededBytes)}.` : ''
  const doing = ctx.doing ? ` while ${ctx.doing}` : ''
  const message = `no space left to write ${path}${doing} (${code}): ${where}.${needed}${quota} ${freeSpaceAdvice(ctx.dataDir)}`
  return new AppError('DISK_FULL', message, { cause: error })
}

/** Logs a failure of a running role: a disk-full error as its clear message (no stack), anything else as before. */
export function logFailure(log: Pick<Logger, 'error'>, error: unknown, dataDir: string, msg: string): void {
  const full = diskFullError(error, { dataDir })
  if (full) log.error({ code: full.code }, `${msg}: ${full.message}`)
  else if (error instanceof AppError) log.error({ code: error.code }, `${msg}: ${error.message}`)
  else log.error({ err: error }, msg)
}

/** "the tmpfs filesystem mounted at /srv/app has 0 bytes free of 4.0 MiB" */
function filesystemOf(path: string): string {
  const existing = realExisting(path)
  const mount = mountFor(existing)
  try {
    const s = statfsSync(existing)
    return `the ${mount?.fsType ?? ''}${mount ? ' ' : ''}filesystem mounted at ${mount?.mountPoint ?? existing} has ${formatBytes(s.bavail * s.bsize)} free of ${formatBytes(s.blocks * s.bsize)}`
  } catch {
    return `the filesystem holding ${existing} is full`
  }
}

const advice = new Map<string, { at: number; text: string }>()

/**
 * What can go, with sizes: the cache (always), old generations (keepGenerations),
 * the WAL files (truncated when the scheduler restarts). Shared with `app doctor`.
 * Kept for 10 s: a role that retries twice a second must not walk the cache each time.
 */
export function freeSpaceAdvice(dataDir: string): string {
  const known = advice.get(dataDir)
  if (known && Date.now() - known.at < 10_000) return known.text
  const cache = join(resolve(dataDir), 'cache')
  const wal = ['plugins.db-wal', 'runtime.db-wal'].reduce((n, f) => n + sizeOf(join(dataDir, f)), 0)
  const text =
    `To free space: delete ${cache} (${formatBytes(treeBytes(cache))}; always safe, plugin files are written again from plugins.db when needed); ` +
    'keep fewer old generations with [store] keepGenerations in app.toml (the next publish prunes the rest); ' +
    `the write-ahead logs plugins.db-wal and runtime.db-wal (${formatBytes(wal)}) are truncated when the scheduler restarts. Or move --data-dir to a larger filesystem.`
  advice.set(dataDir, { at: Date.now(), text })
  return text
}

/** Bytes under `dir` (files only, links not followed); 0 when it does not exist. */
export function treeBytes(dir: string): number {
  if (!existsSync(dir)) return 0
  let total = 0
  const walk = (d: string) => {
    let names: string[]
    try {
      names = readdirSync(d)
    } catch {
      return
    }
    for (const name of names) {
      const p = join(d, name)
      try {
        const s = lstatSync(p)
        if (s.isDirectory()) walk(p)
        else if (s.isFile()) total += s.size
      } catch {
        /* removed meanwhile */
      }
    }
  }
  walk(dir)
  return total
}

export function freeBytes(path: string): number {
  try {
    const s = statfsSync(realExisting(path))
    return s.bavail * s.bsize
  } catch {
    return Number.POSITIVE_INFINITY
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v.toFixed(1)} ${units[i]}`
}

function sizeOf(file: string): number {
  try {
    return lstatSync(file).size
  } catch {
    return 0
  }
}

function pathOf(error: unknown): string | null {
  for (let e = error, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const p = (e as { path?: unknown }).path
    if (typeof p === 'string') return p
  }
  return null
}
