import { randomBytes } from 'node:crypto'
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import { AppError, ExitCode } from '../errors/app-error.ts'
import { MIN_TOKEN_LENGTH, tokenWeakness } from './admin-token-strength.ts'

export const ADMIN_TOKEN_FILE = 'admin-token'
const HOW_TO_MAKE_ONE = 'Generate one with `openssl rand -hex 32`'

export interface AdminToken {
  token: string
  /** Where it came from: 'env' (APP_ADMIN_TOKEN) or the file path. */
  from: string
  /** True the one time the token was generated: the caller prints it then. */
  generated: boolean
}

/**
 * The admin token: APP_ADMIN_TOKEN if set, else data/admin-token, created on
 * first start with 32 random bytes and mode 0600. A short or predictable
 * token is refused (exit 2): it guards every page, API call and plugin route.
 * The file is never followed through a symbolic link.
 */
export function resolveAdminToken(dataDir: string, env: NodeJS.ProcessEnv = process.env): AdminToken {
  const fromEnv = env.APP_ADMIN_TOKEN?.trim()
  if (fromEnv) return { token: checked(fromEnv, 'APP_ADMIN_TOKEN', 'Set APP_ADMIN_TOKEN to a random value'), from: 'env', generated: false }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 }) // owner-only, like the databases beside it
  const file = join(dataDir, ADMIN_TOKEN_FILE)
  const existing = readTokenFile(file)
  if (existing !== null)
    return {
      token: checked(
        existing,
        file,
        `Write a random value into ${file} (mode 0600), delete the file to have one generated, or set APP_ADMIN_TOKEN`,
      ),
      from: file,
      generated: false,
    }
  const token = randomBytes(32).toString('base64url')
  // Written whole to a private file, then linked into place: a second web process starting at the same
  // moment gets EEXIST and reads the complete winner, never a half-written or overwritten token.
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600)
  try {
    writeSync(fd, `${token}\n`)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  try {
    linkSync(temp, file) // never replaces anything, not even a dangling link
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') return resolveAdminToken(dataDir, env)
    throw cause
  } finally {
    rmSync(temp, { force: true })
  }
  return { token, from: file, generated: true }
}

/**
 * The token in `file`, or null when there is none. Opened with O_NOFOLLOW
 * (a link planted there would have the token read from, and the chmod below
 * applied to, whatever it points at) and O_NONBLOCK (a FIFO must not hang the
 * start); permissions are tightened on the open file, not on a path.
 */
function readTokenFile(file: string): string | null {
  let fd: number
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return null
    if (code === 'ELOOP' || code === 'EMLINK') throw unsafe(file, 'is a symbolic link; refusing to follow it', cause)
    throw cause
  }
  try {
    const stat = fstatSync(fd)
    if (!stat.isFile()) throw unsafe(file, 'is not a regular file')
    if ((stat.mode & 0o077) !== 0) {
      // Someone loosened it: only the owner may read the token. Not when the inode is shared or not ours.
      if (stat.nlink > 1 || (process.getuid && stat.uid !== process.getuid()))
        throw unsafe(
          file,
          `has mode ${(stat.mode & 0o777).toString(8)} and is ${stat.nlink > 1 ? 'hard-linked elsewhere' : 'owned by another user'}`,
        )
      fchmodSync(fd, 0o600)
    }
    return readFileSync(fd, 'utf8').trim()
  } finally {
    closeSync(fd)
  }
}

function unsafe(file: string, what: string, cause?: unknown): AppError {
  return new AppError(
    'ADMIN_TOKEN_FILE_UNSAFE',
    `${file} ${what}. Expected a regular file with mode 0600 owned by the user running app. Replace it with one (or delete it to have a token generated), or set APP_ADMIN_TOKEN.`,
    { exitCode: ExitCode.usage, cause },
  )
}

/** The token if it is strong enough; the refusal names where it came from, never the token itself. */
function checked(token: string, from: string, fix: string): string {
  const weakness = tokenWeakness(token)
  if (weakness) {
    throw new AppError(
      'ADMIN_TOKEN_WEAK',
      `the admin token from ${from} ${weakness}; expected at least ${MIN_TOKEN_LENGTH} characters that are random (not a repetition, a run like 1234, or a few characters repeated). ${fix}: ${HOW_TO_MAKE_ONE}.`,
      { exitCode: ExitCode.usage },
    )
  }
  return token
}
