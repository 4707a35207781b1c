import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createArchiveHandler } from '../../src/sources/archive-handler.ts'
import { createDirectorySource } from '../../src/sources/directory-source.ts'
import { plugDir, sourceContract } from './source-contract.ts'

// The shared contract suite (source-contract.ts) holds the assertions; every source runs the same ones.
const limits = { maxBytes: 50 * 1024 * 1024, maxFiles: 10_000, maxDepth: 32 }

sourceContract('directory', async (t) => {
  const dir = plugDir(t)
  return {
    async add(name, data) {
      writeFileSync(join(dir, name), data)
    },
    async remove(name) {
      rmSync(join(dir, name))
    },
    source: (trust) => createDirectorySource(dir, { limits, settleMs: 0, trust, archives: createArchiveHandler({ trust }) }),
  }
})
