import type * as Esbuild from 'esbuild'
import { esbuildBinary } from '../sea/esbuild-binary.ts'
import type { Warning } from '../store/store-types.ts'
import { compilePlugin, type CompiledBundle, type CompileInput } from './compile-plugin.ts'
import { isBuildOutput, isTypeScript } from './build-paths.ts'

/** Compiles one plugin version at publish time (see compilePlugin); null bundle: nothing to compile. */
export type Compiler = (input: CompileInput) => Promise<{ bundle: CompiledBundle | null; warnings: Warning[] }>

/**
 * The publish-time TypeScript compiler. esbuild is loaded on the first
 * TypeScript plugin only (a JavaScript-only install never starts it); in the
 * single executable its embedded binary is written once under dataDir's
 * native directory first. esbuild reads ESBUILD_BINARY_PATH when its module
 * is first evaluated, hence the lazy import.
 */
export function createCompiler(options: { dataDir: string | null }): Compiler {
  let esbuild: Promise<typeof Esbuild> | null = null
  const load = () =>
    (esbuild ??= (async () => {
      const binary = esbuildBinary(options.dataDir)
      if (binary) process.env.ESBUILD_BINARY_PATH = binary
      return (await import('esbuild')) as typeof Esbuild
    })().catch((error: unknown) => {
      esbuild = null
      throw error
    }))
  return async (input) => {
    if (!input.files.some((f) => isTypeScript(f.path) && !isBuildOutput(f.path))) return { bundle: null, warnings: [] }
    return compilePlugin(await load(), input)
  }
}
