// `npm test` runs this first (npm's pretest): what the end-to-end tier needs from outside the test runner.
// CI (.ci/run) does these steps itself before `npm test`; this makes the README's `npm test` whole on a
// fresh machine too. Debian's chromium for the browser test (root + apt-get only), PostgreSQL, and dist/app when the
// sources are newer than it (the executable's tests run the built file).
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { builtFromCurrentSources } from '../test/helpers/app-entry.ts'

const CHROMIUM = '/usr/bin/chromium'
if (!existsSync(CHROMIUM)) {
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.log("pretest: installing Debian's chromium for the browser test (apt-get install -y chromium)")
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' })
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    })
  } else
    console.log(
      `pretest: ${CHROMIUM} is missing and this is not root: the browser test will fail; install Debian's chromium (apt-get install chromium)`,
    )
}

// PostgreSQL for the contract suites and the PostgreSQL end-to-end tests (127.0.0.1:5432, trust, database test).
const pgReady = () => {
  try {
    execFileSync('pg_isready', ['-q', '-h', '127.0.0.1', '-p', '5432'])
    return true
  } catch {
    return false
  }
}
if (!process.env.APP_TEST_POSTGRES_URL && !pgReady()) {
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) execFileSync('bash', ['scripts/ensure-postgres.sh'], { stdio: 'inherit' })
  else
    console.log(
      'pretest: PostgreSQL does not answer on 127.0.0.1:5432: its tests will fail; run scripts/ensure-postgres.sh as root, or set APP_TEST_POSTGRES_URL',
    )
}

const app = 'dist/app'
const stale = !builtFromCurrentSources(process.cwd(), app)
if (process.env.APP_SKIP_BUILD !== '1' && stale) {
  console.log('pretest: building dist/app and dist/app.cjs (npm run build), which the end-to-end tier runs')
  execFileSync(process.execPath, ['scripts/build.ts'], { stdio: 'inherit' })
}
