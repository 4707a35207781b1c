// `npm test [-- <file or folder>...]`: every test, with Node's own test runner on the pinned Node 24.
// The browser test needs Debian's chromium: installed here when missing and we may (root + apt-get).
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'

const CHROMIUM = '/usr/bin/chromium'
if (!existsSync(CHROMIUM) && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
  console.log('installing Debian\'s chromium for the browser test (apt-get install -y chromium)...')
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' })
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
}

// A folder argument means every test file under it.
const patterns = process.argv.slice(2).map((p) => (existsSync(p) && statSync(p).isDirectory() ? `${p.replace(/\/$/, '')}/**/*.test.ts` : p))
const args = ['--test', '--test-concurrency=2', '--test-timeout=300000', ...(patterns.length ? patterns : ['test/**/*.test.ts'])]
const result = spawnSync(process.execPath, args, { stdio: 'inherit' })
process.exit(result.status ?? 1)
