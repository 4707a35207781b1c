import { posix } from 'node:path'
import type * as Esbuild from 'esbuild'
import { hashBundle, sha256 } from '../bundle/hash-bundle.ts'
import type { WarningCode } from '../errors/codes.ts'
import type { BundleFile, Warning } from '../store/store-types.ts'
import { BUILD_DIR, compiledPathOf, isBuildOutput, isTypeScript } from './build-paths.ts'
import { candidatePaths, importKind, outsideImportMessage, packageOf } from './import-rules.ts'

/** A root that exists on no disk: the plugin's files are handed to esbuild from memory. */
const ROOT = '/__app_plugin__'
/** A plugin path from one of esbuild's (absolute, or relative to ROOT). */
const pluginPath = (path: string) => (path.startsWith(`${ROOT}/`) ? path.slice(ROOT.length + 1) : path)
/** More warnings than this for one plugin would only bury the first ones. */
const MAX_WARNINGS = 10

export interface CompileInput {
  plugin: string
  files: BundleFile[]
  /** A file's content; every file of the bundle must be readable. */
  content(file: BundleFile): Promise<Buffer | null>
}

export interface CompiledBundle {
  sha256: string
  files: BundleFile[]
  /** Contents of the compiled files only (the sources are the caller's). */
  blobs: Map<string, Buffer>
}

/**
 * Compiles every TypeScript file of a plugin (decorators as TypeScript's
 * experimentalDecorators unless its tsconfig.json says otherwise, enums, a
 * module graph kept as written) and checks its imports: only app/plugin,
 * Node built-ins and the plugin's own files. Returns the bundle with the
 * compiled files added (null when the plugin has no TypeScript), or
 * COMPILE_FAILED / MODULE_NOT_FOUND warnings naming file, line and column.
 */
export async function compilePlugin(
  esbuild: typeof Esbuild,
  input: CompileInput,
): Promise<{ bundle: CompiledBundle | null; warnings: Warning[] }> {
  const sources = input.files.filter((f) => !isBuildOutput(f.path))
  const ts = sources.filter((f) => isTypeScript(f.path))
  if (!ts.length) return { bundle: null, warnings: [] }
  const texts = new Map<string, string>()
  for (const f of sources.filter((f) => isTypeScript(f.path) || f.path === 'tsconfig.json')) {
    const data = await input.content(f)
    if (!data) throw new Error(`compiling plugin "${input.plugin}": the content of ${f.path} (${f.sha256}) is not available`)
    texts.set(f.path, data.toString('utf8'))
  }
  const text = (path: string) => texts.get(path)!
  const warn = (code: WarningCode, message: string, detail: string): Warning => ({
    code,
    severity: 'error',
    plugin: input.plugin,
    version: null,
    message,
    detail,
  })

  let result: Esbuild.BuildResult<{ write: false; metafile: true }>
  try {
    result = await esbuild.build({
      entryPoints: ts.map((f) => ({ in: `${ROOT}/${f.path}`, out: f.path })),
      outdir: `${ROOT}/${BUILD_DIR}`,
      outbase: ROOT,
      absWorkingDir: ROOT,
      bundle: false,
      write: false,
      metafile: true,
      sourcemap: 'external',
      sourcesContent: false,
      platform: 'node',
      target: 'node24',
      charset: 'utf8',
      logLevel: 'silent',
      tsconfigRaw: { compilerOptions: compilerOptions(texts.get('tsconfig.json') ?? null) },
      plugins: [
        {
          name: 'app-plugin-files',
          setup(build: Esbuild.PluginBuild) {
            build.onResolve({ filter: /.*/ }, (args: Esbuild.OnResolveArgs) => ({ path: args.path }))
            build.onLoad({ filter: /.*/ }, (args: Esbuild.OnLoadArgs) => {
              const path = pluginPath(args.path)
              return { contents: text(path), loader: path.endsWith('.tsx') ? 'tsx' : 'ts' }
            })
          },
        },
      ],
    })
  } catch (error) {
    const errors = (error as { errors?: Esbuild.Message[] }).errors
    if (!Array.isArray(errors)) throw error // the compiler itself failed (not the plugin's code): the pass fails
    return { bundle: null, warnings: errors.slice(0, MAX_WARNINGS).map((e) => compileWarning(input.plugin, e, warn)) }
  }

  const paths = new Set(sources.map((f) => f.path))
  const warnings: Warning[] = []
  for (const output of Object.values(result.metafile.outputs)) {
    const from = output.entryPoint && pluginPath(output.entryPoint)
    if (!from) continue
    for (const imp of output.imports) {
      if (resolvesInside(paths, from, imp.path)) continue
      const at = positionOf(text(from), imp.path)
      const where = `${input.plugin}/${from}:${at.line}:${at.column}`
      warnings.push(warn('MODULE_NOT_FOUND', outsideImportMessage(input.plugin, where, imp.path), where))
    }
  }
  if (warnings.length) return { bundle: null, warnings: warnings.slice(0, MAX_WARNINGS) }

  const files = sources.slice()
  const blobs = new Map<string, Buffer>()
  for (const out of result.outputFiles) {
    const path = pluginPath(out.path)
    let data = Buffer.from(out.contents)
    if (path.endsWith('.js')) {
      // Relative to the module's own URL (the .ts path the worker imports), where Node resolves it.
      const source = path.slice(BUILD_DIR.length + 1, -'.js'.length)
      data = Buffer.concat([
        data,
        Buffer.from(`//# sourceMappingURL=${posix.relative(posix.dirname(source), `${compiledPathOf(source)}.map`)}\n`),
      ])
    }
    const hash = sha256(data)
    blobs.set(hash, data)
    files.push({ path, mode: 0o644, sha256: hash, size: data.length })
  }
  return { bundle: { sha256: hashBundle(files), files, blobs }, warnings: [] }
}

function compileWarning(
  plugin: string,
  e: Esbuild.Message,
  warn: (code: WarningCode, message: string, detail: string) => Warning,
): Warning {
  const loc = e.location
  const file = loc ? pluginPath(loc.file) : '(unknown file)'
  const at = loc ? `${file}:${loc.line}:${loc.column + 1}` : file
  const pointer = loc ? `\n    ${loc.lineText}\n    ${' '.repeat(loc.column)}^` : ''
  return warn(
    'COMPILE_FAILED',
    `plugin "${plugin}": ${at}: ${e.text}. The TypeScript does not compile, so this version is not published; fix it at that line.`,
    `${plugin}/${at}: error: ${e.text}${pointer}`,
  )
}

/** True when the import names app/plugin, a Node built-in, a file of the plugin, or a package inside it. */
function resolvesInside(paths: Set<string>, from: string, specifier: string): boolean {
  const kind = importKind(specifier)
  if (kind === 'sdk' || kind === 'builtin') return true
  const dir = posix.dirname(from)
  if (kind === 'bare') {
    const pkg = packageOf(specifier)
    for (let d = dir; ; d = posix.dirname(d)) {
      const prefix = `${d === '.' ? '' : `${d}/`}node_modules/${pkg}/`
      for (const p of paths) if (p.startsWith(prefix)) return true
      if (d === '.') return false
    }
  }
  if (!/^\.{1,2}(\/|$)/.test(specifier)) return false // absolute paths and URLs point outside the plugin
  const target = posix.normalize(posix.join(dir, specifier.split(/[?#]/)[0]!))
  if (target.startsWith('../')) return false
  return candidatePaths(target, true).some((p) => paths.has(p))
}

/** 1-based line and column of the first quoted occurrence of the specifier (metafile imports carry no position). */
function positionOf(source: string, specifier: string): { line: number; column: number } {
  const hits = ["'", '"', '`'].map((q) => source.indexOf(q + specifier + q)).filter((i) => i >= 0)
  const index = hits.length ? Math.min(...hits) : 0
  const before = source.slice(0, index)
  return { line: before.split('\n').length, column: index - before.lastIndexOf('\n') }
}

/** The compiler options of the plugin's tsconfig.json that change what esbuild emits; decorators default to experimentalDecorators. */
function compilerOptions(tsconfig: string | null): Record<string, unknown> {
  const KEYS = [
    'experimentalDecorators',
    'useDefineForClassFields',
    'verbatimModuleSyntax',
    'preserveValueImports',
    'importsNotUsedAsValues',
    'jsx',
    'jsxFactory',
    'jsxFragmentFactory',
    'jsxImportSource',
    'alwaysStrict',
  ]
  let found: Record<string, unknown> = {}
  if (tsconfig !== null) {
    try {
      // tsconfig.json allows comments and trailing commas.
      const json = tsconfig
        .replace(/("(?:\\.|[^"\\])*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_m, s: string | undefined) => s ?? '')
        .replace(/,(\s*[}\]])/g, '$1')
      const options = (JSON.parse(json) as { compilerOptions?: unknown }).compilerOptions
      if (options && typeof options === 'object') found = options as Record<string, unknown>
    } catch {
      /* unreadable: the defaults */
    }
  }
  const picked = Object.fromEntries(KEYS.filter((k) => k in found).map((k) => [k, found[k]]))
  return { ...picked, experimentalDecorators: picked.experimentalDecorators ?? true }
}
