import { closeSync, existsSync, openSync, readSync } from 'node:fs'
import type { Db } from '../store/open-database.ts'

/** The two copies of SQLite's WAL-index header (https://www.sqlite.org/walformat.html, "The WAL-Index Header"). */
const HEADER_BYTES = 96
const COPY_BYTES = 48
/** iVersion of every WAL-index since SQLite 3.7.0. */
const WAL_INDEX_VERSION = 3007000

/** Closes the -shm file of a counter nobody holds any more (a web app is not closed, only dropped). */
const files = new FinalizationRegistry<number>((fd) => closeSync(fd))

/**
 * A string that differs from every earlier one once anyone, this connection or another process, has
 * committed to the database: the web role asks on every request whether its cached pages still stand.
 *
 * In WAL mode every commit, from any connection or process, rewrites the WAL-index header at the
 * start of the -shm file (its change counter, last frame and checksums): that is how readers find the
 * commit, so the header cannot stay the same across one. One pread of it (about a microsecond), without
 * SQLite's locks, costs a fifth of `PRAGMA data_version` (a read transaction: four fcntl calls and an
 * fstat). The header comes in two copies that a writer fills one after the other: when they differ, or
 * look unlike a WAL-index (no WAL, a file not yet set up), the answer comes from data_version and
 * total_changes() instead, which is always right, only slower. A checkpoint that restarts the WAL also
 * rewrites the header: a needless rebuild, never a missed commit.
 */
export function commitCounter(db: Db): () => string {
  const version = db.prepare('PRAGMA data_version').pluck()
  const changes = db.prepare('SELECT total_changes()').pluck()
  const exact = () => `v${version.get()}/${changes.get()}`
  const shm = `${db.name}-shm`
  const fd = !db.memory && db.name && existsSync(shm) ? openSync(shm, 'r') : null
  const header = Buffer.alloc(HEADER_BYTES)
  const counter = () => {
    if (fd === null || readSync(fd, header, 0, HEADER_BYTES, 0) !== HEADER_BYTES) return exact()
    const settled = header.compare(header, 0, COPY_BYTES, COPY_BYTES, HEADER_BYTES) === 0
    // iVersion (native byte order) and isInit: a header SQLite wrote and finished.
    const valid = header.readUInt32LE(0) === WAL_INDEX_VERSION || header.readUInt32BE(0) === WAL_INDEX_VERSION
    return settled && valid && header[12] === 1 ? header.toString('latin1', 0, COPY_BYTES) : exact()
  }
  if (fd !== null) files.register(counter, fd)
  return counter
}
