/** An archive's contents held in memory after every entry passed the checks: nothing touches the disk. */
export interface ArchiveTree {
  /** Relative path -> file (mode keeps only what the archive said; the bundle keeps the executable bit). */
  files: Map<string, { mode: number; data: Buffer }>
  /** Folders named by an entry of their own (empty ones included). */
  dirs: Set<string>
}

export const emptyTree = (): ArchiveTree => ({ files: new Map(), dirs: new Set() })

/** An archive to read: a file, or bytes already in memory (small downloads never touch the disk). */
export type ArchiveInput = { file: string } | { data: Buffer }
