// `npm run check`: no source file over 300 lines unless it says why. A longer file usually holds two parts;
// split it by responsibility. A file that is long for a reason says so in its first lines:
// `// long file: <why>`. (Function length is Biome's noExcessiveLinesPerFunction, 80 lines: biome.json.)
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'

const MAX_LINES = 300
const REASON = /^\/\/ long file: \S/m
const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', 'src', 'test', 'bench', 'scripts'], { encoding: 'utf8' })
  // -c also lists tracked files deleted in the working tree (a move not yet committed): those have no length.
  .split('\n')
  .filter((f) => /\.(ts|js|mjs|cjs)$/.test(f) && existsSync(f))
const long = files
  .map((f) => ({ file: f, text: readFileSync(f, 'utf8') }))
  .map(({ file, text }) => ({ file, lines: text.split('\n').length, why: REASON.test(text.split('\n').slice(0, 5).join('\n')) }))
  .filter(({ lines, why }) => lines > MAX_LINES && !why)
for (const { file, lines } of long)
  process.stderr.write(
    `${file}: ${lines} lines; at most ${MAX_LINES}. Split it by responsibility, or say why in its first lines (// long file: ...).\n`,
  )
process.exit(long.length ? 1 : 0)
