/** A bundle is the sorted list of its files (DESIGN section 3); its hash is the hash of that list. */
export interface BundleFile {
  path: string
  /** 0o644 or 0o755: only the executable bit survives, so the same tree hashes the same anywhere. */
  mode: number
  sha256: string
  size: number
}

export interface Bundle {
  sha256: string
  files: BundleFile[]
}
