import { readFileSync } from 'node:fs'
import { AppError, ExitCode } from '../errors/app-error.ts'
import { DownloadError } from './save-download.ts'

export interface SecretConfig {
  url: string
  headers?: Record<string, string>
  headersEnv?: Record<string, string>
  headersFile?: Record<string, string>
  username?: string
  password?: string
  passwordEnv?: string
  passwordFile?: string
}

/**
 * Builds the request headers of an HTTP source: plain headers, headers from
 * environment variables (checked now: a missing one is a config error) and
 * from files (read on every scan, so a rotated secret is picked up), and
 * basic auth from username + password, passwordEnv, passwordFile or the
 * URL's user info. Values are never logged and never stored.
 */
export function createSecretHeaders(
  config: SecretConfig,
  where: string,
  env: NodeJS.ProcessEnv = process.env,
): () => Record<string, string> {
  const fromEnv = (key: string, variable: string): string => {
    const value = env[variable]
    if (value === undefined || value === '')
      throw new AppError(
        'CONFIG_INVALID',
        `invalid configuration: ${where}.${key}: environment variable ${variable} is not set. Set it, or remove ${key} from the source.`,
        { exitCode: ExitCode.usage },
      )
    return value
  }
  const fromFile = (key: string, file: string): string => {
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '')
    } catch (cause) {
      throw new DownloadError(
        'unreachable',
        `${where}.${key}: cannot read ${file} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}); the request was not sent.`,
        { cause },
      )
    }
  }
  const fixed: Record<string, string> = { ...config.headers }
  for (const [name, variable] of Object.entries(config.headersEnv ?? {}))
    fixed[name.toLowerCase()] = fromEnv(`headersEnv.${name}`, variable)
  const url = new URL(config.url)
  const username = config.username ?? (url.username ? decodeURIComponent(url.username) : undefined)
  const envPassword = config.passwordEnv ? fromEnv('passwordEnv', config.passwordEnv) : undefined
  const urlPassword = url.password ? decodeURIComponent(url.password) : undefined
  if (!username && (config.password || config.passwordEnv || config.passwordFile)) {
    throw new AppError(
      'CONFIG_INVALID',
      `invalid configuration: ${where}: a password is set but no username. Add username, or use headers for token auth.`,
      { exitCode: ExitCode.usage },
    )
  }
  return () => {
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(fixed)) headers[name.toLowerCase()] = value
    for (const [name, file] of Object.entries(config.headersFile ?? {})) headers[name.toLowerCase()] = fromFile(`headersFile.${name}`, file)
    if (username) {
      const password =
        config.password ?? envPassword ?? (config.passwordFile ? fromFile('passwordFile', config.passwordFile) : urlPassword) ?? ''
      headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
    }
    return headers
  }
}
