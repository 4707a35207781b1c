import { randomBytes } from 'node:crypto'
import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { AppError, ExitCode } from '../errors/app-error.ts'

export const ADMIN_TOKEN_FILE = 'admin-token'
const MIN_LENGTH = 16

export interface AdminToken {
  token: string
  /** Where it came from: 'env' (APP_ADMIN_TOKEN) or the file path. */
  from: string
  /** True the one time the token was generated: the caller prints it then. */
  generated: boolean
}

/**
 * The admin token: APP_ADMIN_TOKEN if set, else data/admin-token, created on
 * first start with 32 random bytes and mode 0600. A short token is refused:
 * it guards every page, API call and plugin route.
 */
export function resolveAdminToken(dataDir: string, env: NodeJS.ProcessEnv = process.env): AdminToken {
  const fromEnv = env.APP_ADMIN_TOKEN?.trim()
  if (fromEnv) return { token: checked(fromEnv, 'APP_ADMIN_TOKEN'), from: 'env', generated: false }
  mkdirSync(dataDir, { recursive: true })
  const file = join(dataDir, ADMIN_TOKEN_FILE)
  try {
    const token = readFileSync(file, 'utf8').trim()
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600) // someone loosened it: only the owner may read the token
    return { token: checked(token, file), from: file, generated: false }
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw cause
  }
  const token = randomBytes(32).toString('base64url')
  // Written whole to a private file, then linked into place: a second web process starting at the same
  // moment gets EEXIST and reads the complete winner, never a half-written or overwritten token.
  const temp = `${file}.${process.pid}.tmp`
  writeFileSync(temp, `${token}\n`, { mode: 0o600 })
  try {
    linkSync(temp, file)
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') return resolveAdminToken(dataDir, env)
    throw cause
  } finally {
    rmSync(temp, { force: true })
  }
  return { token, from: file, generated: true }
}

function checked(token: string, from: string): string {
  if (token.length < MIN_LENGTH) {
    throw new AppError('ADMIN_TOKEN_WEAK', `the admin token from ${from} has ${token.length} characters; expected at least ${MIN_LENGTH}. Set a longer APP_ADMIN_TOKEN (for example \`openssl rand -base64 32\`), or delete the file to have a new one generated.`, { exitCode: ExitCode.usage })
  }
  return token
}
