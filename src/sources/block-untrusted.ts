import { sha256 } from '../bundle/hash-bundle.ts'
import type { Candidate } from './source-types.ts'

const TRUST_CODES = new Set(['SIGNATURE_MISSING', 'SIGNATURE_UNTRUSTED'])

/**
 * A plugin the trust config blocks (unsigned or unknown key while
 * trust.requireSignature is on) is published without its files, as a
 * refusal whose identity includes the real content's hash. The verdict
 * depends on config, not content, so the real bundle must stay free for the
 * day the key is trusted; and a refusal can never be loaded by mistake.
 */
export function blockUntrusted(c: Candidate): Candidate {
  if (!c.warnings.some((w) => TRUST_CODES.has(w.code) && w.severity === 'error')) return c
  const reasons = c.warnings.map((w) => w.message).join('\n')
  return {
    ...c,
    bundle: {
      files: [],
      sha256: `refused-${sha256(`${c.bundle.sha256}\n${reasons}`)}`,
      blobs: new Map(),
      paths: new Map(),
      warnings: [],
      newestChangeMs: c.bundle.newestChangeMs,
    },
    contentSha256: c.bundle.sha256,
  }
}
