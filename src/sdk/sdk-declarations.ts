import { readFileSync } from 'node:fs'

/** Set by scripts/build.ts (esbuild `define`): the declaration files, so the executable carries them. */
declare const __APP_SDK_TYPES__: { plugin: string; honoLite: string; testing: string } | undefined

/**
 * The declarations of `app/plugin` that `app plugin init` writes into a
 * plugin folder: types/plugin.d.ts with its hono imports replaced by
 * types/hono-lite.d.ts, so the folder type-checks with no hono package and no
 * network. From the bundle when built; from types/ when run from source.
 */
export function sdkDeclarations(): string {
  const texts = declarationTexts()
  const lite = texts.honoLite.replace(/^(\/\/.*\n)+\n?/, '')
  const replaced = texts.plugin.replace(/\/\/ hono:begin[^\n]*\n[\s\S]*?\/\/ hono:end\n/, lite)
  if (replaced === texts.plugin)
    throw new Error('types/plugin.d.ts lost its "// hono:begin" ... "// hono:end" block, which `app plugin init` replaces')
  return replaced
}

/** The declarations of `app/plugin/testing` (the test host), written beside those of `app/plugin`, which they import. */
export function sdkTestingDeclarations(): string {
  return declarationTexts().testing
}

function declarationTexts(): { plugin: string; honoLite: string; testing: string } {
  if (typeof __APP_SDK_TYPES__ !== 'undefined') return __APP_SDK_TYPES__
  const read = (file: string) => readFileSync(new URL(`../../types/${file}`, import.meta.url), 'utf8')
  return { plugin: read('plugin.d.ts'), honoLite: read('hono-lite.d.ts'), testing: read('plugin-testing.d.ts') }
}
