import { join } from 'node:path'
import { extractAsset } from './extract-asset.ts'
import { nativeDirError } from './native-binding.ts'
import { nativeDir } from './native-dir.ts'
import { embeddedEsbuildSha256, ESBUILD_ASSET, runtimeMode } from './runtime-mode.ts'

/**
 * The esbuild executable the scheduler compiles TypeScript plugins with.
 * From source: undefined (the esbuild package finds its own). Beside
 * dist/app.cjs when bundled. In the single executable: the embedded copy,
 * written once to <native dir>/<sha256>/esbuild, so an air-gapped host needs
 * no compiler and no network.
 */
export function esbuildBinary(dataDir: string | null): string | undefined {
  const mode = runtimeMode()
  if (mode === 'source') return undefined
  if (mode === 'bundle') return join(__dirname, 'esbuild')
  if (!dataDir) throw new Error('esbuildBinary: the single executable needs a data directory to write its TypeScript compiler to')
  const dir = nativeDir(dataDir)
  const file = join(dir, embeddedEsbuildSha256(), 'esbuild')
  try {
    extractAsset(file, ESBUILD_ASSET, 0o555)
  } catch (cause) {
    throw nativeDirError(
      dir,
      `cannot write the TypeScript compiler (esbuild) there (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`,
      cause,
    )
  }
  return file
}
