import { existsSync, readFileSync } from 'node:fs'
import type { ResolveFnOutput } from 'node:module'
import { dirname, join, posix } from 'node:path'
import { fileURLToPath } from 'node:url'
import { compiledPathOf, isTypeScript } from '../compile/build-paths.ts'
import { candidatePaths, importKind, outsideImportMessage } from '../compile/import-rules.ts'
import { moduleFormat, type ModuleFormat } from './module-format.ts'

/** What the module hooks know of a plugin root: its directory (and file URL with a trailing slash) and its plugin. */
export interface PluginRoot {
  dir: string
  href: string
  plugin: string
}

/** An import from plugin code that leaves the plugin: refused the same way in every install. */
export class OutsideImportError extends Error {
  readonly code = 'MODULE_NOT_FOUND'
}

function outsideImport(root: PluginRoot, parentURL: string, specifier: string): OutsideImportError {
  const from = fileURLToPath(parentURL.replace(/\?.*$/, '')).slice(root.dir.length + 1)
  return new OutsideImportError(outsideImportMessage(root.plugin, `${root.plugin}/${from}`, specifier))
}

type NextResolve = (specifier: string) => ResolveFnOutput

/**
 * Resolves an import of plugin code the way the publish-time check does: Node's
 * rules, plus TypeScript's (`./x.js` for `./x.ts`, no extension) from a
 * TypeScript file; anything that does not end inside the plugin is refused.
 */
export function resolvePluginImport(root: PluginRoot, specifier: string, parentURL: string, next: NextResolve): ResolveFnOutput {
  const kind = importKind(specifier)
  if (kind === 'builtin' || kind === 'sdk') return next(specifier)
  let resolved: ResolveFnOutput | undefined
  let failure: unknown
  try {
    resolved = next(specifier)
  } catch (error) {
    failure = error
  }
  const parent = fileURLToPath(parentURL.replace(/\?.*$/, ''))
  if (!resolved && kind === 'path' && /^\.{1,2}(\/|$)/.test(specifier) && isTypeScript(parent)) {
    const target = posix.join(dirname(parent), specifier.split(/[?#]/)[0]!)
    const found = candidatePaths(target, true).find((p) => p !== target && existsSync(p))
    // A relative specifier again: CommonJS resolution takes no URLs.
    if (found) resolved = next(`./${posix.relative(dirname(parent), found)}`)
  }
  if (!resolved && kind === 'path') throw failure
  if (!resolved?.url.startsWith(root.href)) throw outsideImport(root, parentURL, specifier)
  return resolved
}

/** The JavaScript the scheduler compiled for a TypeScript file of the plugin (its source map beside it). */
export function compiledSource(root: PluginRoot, rel: string): Buffer {
  const file = join(root.dir, compiledPathOf(rel))
  try {
    return readFileSync(file)
  } catch (cause) {
    throw new Error(
      `plugin "${root.plugin}": ${rel} has no compiled output in its bundle (${compiledPathOf(rel)}), so it cannot be imported: workers never compile. Publish the plugin again (\`app plugins sync\`) with this version of app, whose scheduler compiles TypeScript.`,
      { cause },
    )
  }
}

/** .mts is ESM and .cts CommonJS; .ts and .tsx follow the plugin's package.json "type", else the compiled code's syntax, as .js does. */
export function tsFormat(file: string, root: string, source: Buffer): ModuleFormat {
  if (file.endsWith('.mts')) return 'module'
  if (file.endsWith('.cts')) return 'commonjs'
  return moduleFormat(file.replace(/\.tsx?$/, '.js'), root, source)!
}
