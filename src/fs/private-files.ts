import { closeSync, mkdirSync, openSync } from 'node:fs'

/**
 * Owner-only modes for what holds plugins, jobs, settings references, the
 * lock and backups, whatever the umask: run by hand with umask 022 they came
 * out 0644/0755, readable by every local user. Applied when created only: an
 * operator's later chmod (or systemd's StateDirectoryMode) stands.
 */
export const PRIVATE_DIR_MODE = 0o700
export const PRIVATE_FILE_MODE = 0o600

/** mkdir -p with mode 0700 for the directories it creates. */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
}

/**
 * Creates `file` empty with mode 0600 unless it exists, so that SQLite opens
 * it instead of creating it 0644: its -wal, -shm and -journal files take the
 * database file's mode. An empty file is what SQLite itself treats as a new
 * database.
 */
export function createPrivateFile(file: string): void {
  try {
    closeSync(openSync(file, 'wx', PRIVATE_FILE_MODE))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
}
