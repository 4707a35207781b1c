import { statfsSync } from 'node:fs'
import { AppError, ExitCode } from '../errors/app-error.ts'
import { mountFor, realExisting } from './mount-info.ts'

/**
 * statfs f_type magic numbers of filesystems where SQLite's WAL mode is unsafe:
 * its shared-memory index needs every process on one host and reliable locks.
 */
const SHARED_FILESYSTEMS: Record<number, string> = {
  0x6969: 'NFS',
  0x517b: 'SMB',
  0xff534d42: 'CIFS',
  0xfe534d42: 'SMB2',
  0x65735546: 'FUSE',
  0x01021997: '9p',
  0x00c36400: 'Ceph',
  0x5346414f: 'AFS',
  0x6b414653: 'AFS',
  0x73757245: 'Coda',
  0x564c: 'NCP',
  0x01161970: 'GFS2',
  0x7461636f: 'OCFS2',
  0x0bd00bd0: 'Lustre',
  0x47504653: 'GPFS',
}

export interface FilesystemKind {
  path: string
  /** The fs type as the kernel names it in mountinfo (ext4, nfs4, fuse.sshfs), or the magic number in hex. */
  type: string
  /** Set when the filesystem is network, cluster or FUSE: the family name (NFS, SMB, FUSE...). */
  shared: string | null
}

/** What kind of filesystem holds `path` (or its nearest existing parent). */
export function filesystemKind(path: string): FilesystemKind {
  const real = realExisting(path)
  const magic = statfsSync(real).type >>> 0
  const mount = mountFor(real)
  return { path: real, type: mount?.fsType ?? `0x${magic.toString(16)}`, shared: SHARED_FILESYSTEMS[magic] ?? null }
}

/** Startup guard for every role: refuse a data directory on a network filesystem before opening a database. */
export function assertLocalDataDir(dataDir: string): void {
  const kind = filesystemKind(dataDir)
  if (!kind.shared) return
  throw new AppError('DATA_DIR_NOT_LOCAL', `${sharedFilesystemProblem(dataDir, kind)} ${LOCAL_FILESYSTEM_FIX}`, {
    exitCode: ExitCode.usage,
  })
}

export function sharedFilesystemProblem(dataDir: string, kind: FilesystemKind): string {
  return `data directory ${dataDir} is on a ${kind.shared} filesystem (${kind.type} at ${kind.path}); SQLite's WAL mode needs a local filesystem (ext4, xfs, btrfs, zfs, tmpfs): its shared-memory index and locks do not work over ${kind.shared}.`
}

export const LOCAL_FILESYSTEM_FIX =
  'Move the data directory to a local disk (--data-dir or APP_DATA_DIR) and run every role of the install on that host.'
