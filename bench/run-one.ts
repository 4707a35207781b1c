// Runs one bench file's run() and writes its results as JSON (used by bench/run.ts).
import { writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import type { Bench } from './bench-types.ts'

const [file, out] = process.argv.slice(2)
const mod = (await import(pathToFileURL(file!).href)) as { run: Bench }
const results = await mod.run()
writeFileSync(out!, JSON.stringify(results))
process.exit(0)
