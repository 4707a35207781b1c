import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { basename } from 'node:path'
import type { ArchiveLimits } from '../archive/archive-limits.ts'
import type { BundleLimits } from '../bundle/read-bundle.ts'
import { inspectArchive } from './archive-handler.ts'
import type { SignatureState, Warning } from '../store/store-types.ts'
import type { Trust } from '../signing/create-trust.ts'

export interface VerifyReport {
  archive: string
  sha256: string
  /** The <archive>.sha256 file next to it, when there is one. */
  checksum: { file: string; expected: string | null; ok: boolean } | null
  plugins: Array<{ name: string; version: string; signature: SignatureState | null; warnings: Warning[] }>
  /** Nothing would keep these plugins from loading under this trust config. */
  ok: boolean
}

/**
 * Checks an archive as the scheduler would: safe extraction and limits,
 * each plugin's manifest, its SIGNATURE.json against its files and the
 * trusted keys, and the .sha256 file written by `app plugins pack`.
 */
export async function verifyArchive(
  file: string,
  options: { limits: BundleLimits & Partial<ArchiveLimits>; trust: Trust },
): Promise<VerifyReport> {
  const data = readFileSync(file)
  const sha256 = createHash('sha256').update(data).digest('hex')
  let checksum: VerifyReport['checksum'] = null
  const sumFile = `${file}.sha256`
  if (existsSync(sumFile)) {
    const expected = /^([0-9a-f]{64})\b/.exec(readFileSync(sumFile, 'utf8').trim())?.[1] ?? null
    checksum = { file: sumFile, expected, ok: expected === sha256 }
  }
  const found = await inspectArchive(
    { data },
    { name: basename(file), source: 'directory', origin: file, limits: options.limits, trust: options.trust },
  )
  const plugins = found.candidates.map((c) => ({
    name: c.check.name,
    version: c.check.version,
    signature: c.signature,
    warnings: [...c.bundle.warnings, ...c.check.warnings, ...c.warnings],
  }))
  const ok = (checksum?.ok ?? true) && plugins.length > 0 && plugins.every((p) => !p.warnings.some((w) => w.severity === 'error'))
  return { archive: file, sha256, checksum, plugins, ok }
}
