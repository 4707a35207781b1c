/** Why an archive was not extracted: a stable warning code and the entry at fault. */
export class ArchiveRefusal extends Error {
  readonly code: 'BUNDLE_UNSAFE' | 'BUNDLE_TOO_LARGE'
  /** The archive entry name as stored (may hold control characters: print it JSON-quoted). */
  readonly entry: string | null

  constructor(code: 'BUNDLE_UNSAFE' | 'BUNDLE_TOO_LARGE', message: string, entry: string | null, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.name = 'ArchiveRefusal'
    this.code = code
    this.entry = entry
  }
}
