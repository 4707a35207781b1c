import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { compileFunction } from 'node:vm'

export type ModuleFormat = 'module' | 'commonjs' | 'json'

/** Errors V8 gives ESM syntax compiled as CommonJS: Node's own detection retries those as ESM. */
const ESM_SYNTAX = [
  'Cannot use import statement outside a module',
  "Unexpected token 'export'",
  "Cannot use 'import.meta' outside a module",
  'await is only valid in async functions and the top level bodies of modules',
]

/**
 * The format Node would pick for `file` if the plugin folder (root) were all
 * there is: .mjs ESM, .cjs CommonJS, .js by the nearest package.json "type"
 * inside the plugin, else by syntax. The host's package.json never counts.
 */
export function moduleFormat(file: string, root: string, source: string | Buffer): ModuleFormat | null {
  if (file.endsWith('.mjs')) return 'module'
  if (file.endsWith('.cjs')) return 'commonjs'
  if (file.endsWith('.json')) return 'json'
  if (!file.endsWith('.js')) return null
  const type = packageType(dirname(file), root)
  if (type === 'module' || type === 'commonjs') return type
  return detectFormat(String(source))
}

/** Syntax detection: CommonJS unless it only compiles as a module. */
export function detectFormat(source: string): 'module' | 'commonjs' {
  if (!/\b(import|export)\b|\bawait\b/.test(source)) return 'commonjs' // fast path: nothing ESM-looking
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0 // only the message matters: skip building a stack for every probe
  try {
    compileFunction(source, ['exports', 'require', 'module', '__filename', '__dirname'])
    return 'commonjs'
  } catch (error) {
    const message = (error as Error)?.message ?? ''
    return error instanceof SyntaxError && ESM_SYNTAX.some((m) => message.includes(m)) ? 'module' : 'commonjs'
  } finally {
    Error.stackTraceLimit = limit
  }
}

const typeCache = new Map<string, 'module' | 'commonjs' | 'detect'>()

/** "type" of the nearest package.json between dir and root (inclusive), or 'detect'; cached per directory. */
function packageType(dir: string, root: string): 'module' | 'commonjs' | 'detect' {
  const cached = typeCache.get(dir)
  if (cached !== undefined) return cached
  let type: 'module' | 'commonjs' | 'detect' = 'detect'
  const file = join(dir, 'package.json')
  if (existsSync(file)) {
    let found: unknown
    try {
      found = (JSON.parse(readFileSync(file, 'utf8')) as { type?: unknown }).type
    } catch {
      /* unreadable: typeless */
    }
    type = found === 'module' || found === 'commonjs' ? found : 'detect'
  } else if (dir !== root && dir.startsWith(root)) {
    type = packageType(dirname(dir), root)
  }
  typeCache.set(dir, type)
  return type
}
