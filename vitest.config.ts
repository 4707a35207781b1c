// Two tiers (`npm run test:unit`, `npm run test:e2e`; `npm test` runs both): the unit tier runs in-process
// against real SQLite files and a real Hono app; the end-to-end tier starts real role processes from the CLI,
// real HTTP and S3 servers, the built executable and Debian's Chromium.
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineConfig } from 'vitest/config'
import { appEntry } from './test/helpers/app-entry.ts'

// Files wait on child processes, PostgreSQL and timers more than they use a core: two per core keeps both busy
// (the unit tier: 46 s against 50 s at one per core on two cores).
// The unit tier runs first (groupOrder), so a broken build fails in seconds.
const cores = availableParallelism()
// Node's on-disk compile cache for the test processes, the worker threads and every `app` they start (bin/app.js
// enables it too): the suite starts Node on src/ hundreds of times, and each start reads about 400 modules.
process.env.NODE_COMPILE_CACHE ??= join(tmpdir(), 'node-compile-cache')

// Say so when the end-to-end tier will start `app` from source: it is correct, only slower.
if (!process.env.APP_TEST_ENTRY && appEntry(import.meta.dirname).endsWith('bin/app.js'))
  console.log(
    'e2e: `app` starts from bin/app.js because dist/app.cjs is missing or older than src/; `npm run build` (npm test runs it) makes the tier about 40% faster',
  )

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 300_000,
    teardownTimeout: 30_000,
    pool: 'forks',
    // Tests import src/ exactly as `npm start` runs it: Node's own loader and type stripping. Vite's module
    // runner would bypass the module hooks that give plugins `app/plugin`.
    experimental: { viteModuleRunner: false, nodeLoader: false },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.unit.test.ts'], maxWorkers: cores * 2, sequence: { groupOrder: 0 } } },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.unit.test.ts'],
          maxWorkers: cores * 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
