import { readFileSync } from 'node:fs'

/** Set by scripts/build.ts (esbuild `define`): the two declaration files, so the executable carries them. */
declare const __APP_SDK_TYPES__: { plugin: string; honoLite: string } | undefined

/**
 * The declarations of `app/plugin` that `app plugin init` writes into a
 * plugin folder: types/plugin.d.ts with its hono imports replaced by
 * types/hono-lite.d.ts, so the folder type-checks with no hono package and no
 * network. From the bundle when built; from types/ when run from source.
 */
export function sdkDeclarations(): string {
  const texts = typeof __APP_SDK_TYPES__ !== 'undefined' ? __APP_SDK_TYPES__ : {
    plugin: readFileSync(new URL('../../types/plugin.d.ts', import.meta.url), 'utf8'),
    honoLite: readFileSync(new URL('../../types/hono-lite.d.ts', import.meta.url), 'utf8'),
  }
  const lite = texts.honoLite.replace(/^(\/\/.*\n)+\n?/, '')
  const replaced = texts.plugin.replace(/\/\/ hono:begin[^\n]*\n[\s\S]*?\/\/ hono:end\n/, lite)
  if (replaced === texts.plugin) throw new Error('types/plugin.d.ts lost its "// hono:begin" ... "// hono:end" block, which `app plugin init` replaces')
  return replaced
}
