// Test-only packages without type declarations: just what the tests use.
declare module 'yazl' {
  import type { Readable } from 'node:stream'
  export class ZipFile {
    outputStream: Readable
    addBuffer(buffer: Buffer, metadataPath: string, options?: { mode?: number; compress?: boolean; mtime?: Date }): void
    addEmptyDirectory(metadataPath: string, options?: { mode?: number; mtime?: Date }): void
    end(): void
  }
}

declare module 's3rver' {
  export default class S3rver {
    constructor(options: {
      address?: string
      port?: number
      silent?: boolean
      directory: string
      configureBuckets?: Array<{ name: string }>
      resetOnClose?: boolean
    })
    run(): Promise<{ address: string; port: number }>
    close(): Promise<void>
  }
}
