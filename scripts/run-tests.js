// Runs every test with Node's own test runner on the pinned Node 24.
// Usage: npm test [-- <file or glob>...]
import { spawnSync } from 'node:child_process'

const patterns = process.argv.slice(2)
const args = ['--test', '--test-concurrency=2', '--test-timeout=300000', ...(patterns.length ? patterns : ['test/**/*.test.ts'])]
const result = spawnSync(process.execPath, args, { stdio: 'inherit' })
process.exit(result.status ?? 1)
