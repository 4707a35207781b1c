import { isBuiltin } from 'node:module'

/** The bare specifiers a plugin may import besides Node built-ins: the SDK the host hands it. */
export const SDK_SPECIFIERS: ReadonlySet<string> = new Set(['app/plugin', 'app/plugin/testing'])

export type ImportKind = 'sdk' | 'builtin' | 'path' | 'bare'

/**
 * What a specifier in plugin code points at: the SDK, a Node built-in, a path
 * (relative, absolute or a URL), or a bare package name, which must be found
 * inside the plugin (its own node_modules) or not at all.
 */
export function importKind(specifier: string): ImportKind {
  if (SDK_SPECIFIERS.has(specifier)) return 'sdk'
  if (/^(\.{1,2}(\/|$)|\/|[a-z][a-z0-9+.-]*:)/i.test(specifier) && !specifier.startsWith('node:')) return 'path'
  if (isBuiltin(specifier)) return 'builtin'
  return 'bare'
}

/** The package a bare specifier names: `lodash/fp` -> `lodash`, `@scope/pkg/x` -> `@scope/pkg`. */
export const packageOf = (specifier: string): string =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/')

/** The MODULE_NOT_FOUND text for an import that does not resolve inside the plugin, the same in every install. */
export function outsideImportMessage(plugin: string, from: string, specifier: string): string {
  const kind = importKind(specifier)
  const what =
    kind === 'bare' ? `"${specifier}", a package the plugin does not contain` : `"${specifier}", which is not a file of the plugin`
  const fix =
    kind === 'bare'
      ? `Bundle ${packageOf(specifier)} into the plugin (for example \`esbuild --bundle --platform=node --external:app/plugin\`), or use what app/plugin re-exports (Hono, html).`
      : 'Import only files inside the plugin folder, with their real path.'
  return `plugin "${plugin}": ${from} imports ${what}. Plugins import only app/plugin, Node built-ins and their own files, so a plugin behaves the same in every install. ${fix}`
}

/**
 * The files a path import may name, in order, TypeScript style: the path
 * itself, a `.js` name that stands for its `.ts` source, or no extension
 * (with an index file for a folder). Shared by the publish-time check and the
 * module hook, so both accept the same imports.
 */
export function candidatePaths(target: string, fromTypeScript: boolean): string[] {
  if (!fromTypeScript) return [target]
  const js = /\.(c|m)?jsx?$/.exec(target)
  if (js) {
    const stem = target.slice(0, -js[0].length)
    const ts = js[1] === 'm' ? ['.mts'] : js[1] === 'c' ? ['.cts'] : ['.ts', '.tsx']
    return [target, ...ts.map((e) => stem + e)]
  }
  if (/\.[a-z]+$/i.test(target.slice(target.lastIndexOf('/') + 1))) return [target]
  const exts = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json']
  return [...exts.map((e) => target + e), ...['.ts', '.tsx', '.js'].map((e) => `${target}/index${e}`)]
}
