// `npm run check`: no source file over 300 lines. A longer file usually holds two parts; split it by
// responsibility. (Function length is Biome's noExcessiveLinesPerFunction, 80 lines: biome.json.)
import { existsSync, readFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'

const MAX_LINES = 300
const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', 'src', 'test', 'bench', 'scripts'], { encoding: 'utf8' })
  // -c also lists tracked files deleted in the working tree (a move not yet committed): those have no length.
  .split('\n').filter((f) => /\.(ts|js|mjs|cjs)$/.test(f) && existsSync(f))
const long = files.map((f) => [f, readFileSync(f, 'utf8').split('\n').length] as const).filter(([, n]) => n > MAX_LINES)
for (const [file, n] of long) process.stderr.write(`${file}: ${n} lines; at most ${MAX_LINES}. Split it by responsibility.\n`)
process.exit(long.length ? 1 : 0)
