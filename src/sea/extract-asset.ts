import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { getRawAsset } from 'node:sea'
import { threadId } from 'node:worker_threads'

/**
 * Writes an asset embedded in the single executable to `file`, unless it is
 * there already (its directory is named by the content hash). Written under a
 * temporary name and renamed: processes starting together never use a
 * half-written file.
 */
export function extractAsset(file: string, asset: string, mode: number): void {
  if (existsSync(file)) return
  mkdirSync(dirname(file), { recursive: true, mode: 0o755 })
  const tmp = `${file}.${process.pid}-${threadId}.tmp`
  writeFileSync(tmp, new Uint8Array(getRawAsset(asset)), { mode })
  renameSync(tmp, file)
}
