import { readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { sha256 } from '../bundle/hash-bundle.ts'
import type { BundleFile } from '../bundle/bundle-types.ts'
import { compiledPathOf, isTypeScript } from '../compile/build-paths.ts'
import { createCompiler } from '../compile/create-compiler.ts'
import { readPluginManifest } from '../manifest/read-plugin-manifest.ts'
import type { Warning } from '../store/store-types.ts'

/** Test files `app plugin test` runs: `*.test.{js,mjs,cjs,ts,mts}`. */
export const TEST_FILE = /\.test\.(js|mjs|cjs|ts|mts)$/

/** The plugin's own files, relative, sorted: no dot entries, nothing under node_modules (packages it carries are not its tests). */
export function pluginFiles(dir: string, rel = ''): string[] {
  const out: string[] = []
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue
    const path = rel ? `${rel}/${e.name}` : e.name
    if (e.isDirectory()) out.push(...pluginFiles(dir, path))
    else if (e.isFile()) out.push(path)
  }
  return out.sort()
}

/** The plugin's name as its manifest gives it (the folder's name when the manifest is unreadable: the test host says why). */
export function pluginNameOf(dir: string, files: string[]): string {
  const text = (path: string) => {
    try {
      return readFileSync(join(dir, path), 'utf8')
    } catch {
      return null
    }
  }
  return readPluginManifest({ folder: basename(dir), paths: new Set(files), text }).name
}

/**
 * Every TypeScript file of the plugin folder (tests included) compiled as the
 * scheduler compiles plugins (the same esbuild step, decorators, import rule),
 * each with its source map inline and pointing at the file itself, so stack
 * traces and test locations name the author's lines. Returns path -> source,
 * or the COMPILE_FAILED / MODULE_NOT_FOUND warnings.
 */
export async function compileTestFiles(
  dir: string,
  plugin: string,
  files: string[],
  nativeDataDir: string,
): Promise<{ compiled: Map<string, Buffer>; warnings: Warning[] }> {
  const compiled = new Map<string, Buffer>()
  const ts = files.filter(isTypeScript)
  if (!ts.length) return { compiled, warnings: [] }
  const contents = new Map(files.filter((p) => isTypeScript(p) || p === 'tsconfig.json').map((p) => [p, readFileSync(join(dir, p))]))
  const bundleFiles: BundleFile[] = [...contents].map(([path, data]) => ({ path, mode: 0o644, sha256: sha256(data), size: data.length }))
  const built = await createCompiler({ dataDir: nativeDataDir })({
    plugin,
    files: bundleFiles,
    content: async (f) => contents.get(f.path) ?? null,
  })
  if (!built.bundle) return { compiled, warnings: built.warnings }
  const byPath = new Map(built.bundle.files.map((f) => [f.path, built.bundle!.blobs.get(f.sha256)]))
  for (const path of ts) {
    const js = byPath.get(compiledPathOf(path))
    const map = byPath.get(`${compiledPathOf(path)}.map`)
    if (!js) continue
    const code = js.toString('utf8').replace(/\/\/# sourceMappingURL=\S+\s*$/, '')
    const inline = map ? { ...(JSON.parse(map.toString('utf8')) as Record<string, unknown>), sources: [basename(path)] } : null
    compiled.set(
      path,
      Buffer.from(
        inline
          ? `${code}//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(inline)).toString('base64')}\n`
          : code,
      ),
    )
  }
  return { compiled, warnings: built.warnings }
}
