import { existsSync, readFileSync } from 'node:fs'
import { parse as parseToml } from 'smol-toml'
import { AppError, ExitCode } from '../errors/app-error.ts'
import { configSchema, type Config } from './config-schema.ts'
import { describeFound, jsonErrorPosition } from './describe-found.ts'

/** Environment variables that map onto config keys (dotted path, parser). */
const envKeys: Record<string, [string, (v: string) => unknown]> = {
  APP_ROLE: ['role', String],
  APP_DATA_DIR: ['dataDir', String],
  APP_PLUGINS_DIR: ['pluginsDir', String],
  APP_HOST: ['host', String],
  APP_PORT: ['port', asNumber],
  APP_LOG_LEVEL: ['logLevel', String],
  APP_RELOAD: ['reload', asBoolean],
  APP_CONCURRENCY: ['concurrency', asNumber],
  APP_STORE_WAIT_MS: ['store.waitMs', asNumber],
  APP_LOAD_TIMEOUT_MS: ['loader.loadTimeoutMs', asNumber],
  APP_SETTLE_MS: ['watch.settleMs', asNumber],
  APP_PLUGIN_REMOTE: ['sources', (v) => parseJson('APP_PLUGIN_REMOTE', v)],
  APP_TRUST_PUBLIC_KEYS: [
    'trust.publicKeys',
    (v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
  ],
  APP_TRUST_REQUIRE_SIGNATURE: ['trust.requireSignature', asBoolean],
  APP_DATABASE_URL: ['database.url', String],
}

export interface LoadConfigOptions {
  /** Flags already parsed, as config keys (dotted paths allowed). */
  flags?: Record<string, unknown>
  env?: NodeJS.ProcessEnv
  /** Explicit config file (--config); otherwise APP_CONFIG, otherwise ./app.toml if present. */
  configFile?: string
}

/** Defaults < app.toml < APP_* environment < flags. Invalid config: exit 2 naming key, expected and found. */
export function loadConfig(options: LoadConfigOptions = {}): Config & { configFile: string | null } {
  const env = options.env ?? process.env
  const explicit = options.configFile ?? env.APP_CONFIG
  const configFile = explicit ?? (existsSync('app.toml') ? 'app.toml' : null)
  const merged: Record<string, unknown> = {}
  if (configFile) deepMerge(merged, readToml(configFile, explicit !== undefined))
  for (const [name, [key, parse]] of Object.entries(envKeys)) {
    const raw = env[name]
    if (raw !== undefined && raw !== '') setPath(merged, key, parse(raw))
  }
  for (const [key, value] of Object.entries(options.flags ?? {})) {
    if (value !== undefined) setPath(merged, key, value)
  }
  const result = configSchema.safeParse(merged)
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = issue.path.join('.') || '(root)'
      const found = getPath(merged, issue.path)
      const foundText = issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.join(', ')}` : describeFound(issue.path, found)
      return `  ${key}: ${issue.message}; ${foundText}`
    })
    const where = configFile ? ` (config file ${configFile}, APP_* environment and flags)` : ' (APP_* environment and flags)'
    throw new AppError(
      'CONFIG_INVALID',
      `invalid configuration${where}:\n${lines.join('\n')}\nFix the value and run again; \`app --help\` lists the flags.`,
      { exitCode: ExitCode.usage },
    )
  }
  return { ...result.data, configFile }
}

function readToml(file: string, required: boolean): Record<string, unknown> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (cause) {
    if (!required && (cause as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new AppError('CONFIG_UNREADABLE', `cannot read config file ${file}: ${(cause as Error).message}`, {
      exitCode: ExitCode.usage,
      cause,
    })
  }
  try {
    return parseToml(text) as Record<string, unknown>
  } catch (cause) {
    // The parser's message quotes the lines around the error, which may hold a password or token: say where, not what.
    const { line, column } = cause as { line?: number; column?: number }
    const reason = /^Invalid TOML document: ([a-z][a-z ,.:'-]*)$/i.exec((cause as Error).message.split('\n', 1)[0] ?? '')?.[1]
    const at = line ? ` at line ${line}, column ${column}` : ''
    throw new AppError(
      'CONFIG_INVALID',
      `config file ${file} is not valid TOML${at}${reason ? `: ${reason}` : ''}. The line is not shown, as it may hold a secret; open the file at that place to fix it.`,
      { exitCode: ExitCode.usage },
    )
  }
}

function asNumber(v: string): unknown {
  return /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v
}

function asBoolean(v: string): unknown {
  if (/^(1|true|yes|on)$/i.test(v)) return true
  if (/^(0|false|no|off)$/i.test(v)) return false
  return v
}

function parseJson(name: string, v: string): unknown {
  try {
    return JSON.parse(v)
  } catch (cause) {
    // Neither the value nor the parser's message (which quotes it) is shown: it may hold URLs with passwords and tokens.
    throw new AppError(
      'CONFIG_INVALID',
      `${name} must be a JSON array of source tables, for example [{"type":"http","url":"https://..."}]; found ${v.length} characters that are not valid JSON${jsonErrorPosition(cause)} (the value is not shown, as it may hold a secret)`,
      { exitCode: ExitCode.usage },
    )
  }
}

function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(source)) {
    const t = target[k]
    if (isPlainObject(v) && isPlainObject(t)) deepMerge(t, v)
    else target[k] = v
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.')
  let node = target
  for (const k of keys.slice(0, -1)) {
    if (!isPlainObject(node[k])) node[k] = {}
    node = node[k] as Record<string, unknown>
  }
  node[keys.at(-1)!] = value
}

function getPath(source: unknown, path: PropertyKey[]): unknown {
  let node = source
  for (const k of path) node = (node as Record<PropertyKey, unknown> | undefined)?.[k]
  return node
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
