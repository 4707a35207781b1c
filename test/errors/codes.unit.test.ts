// The code catalog is the one list of codes: each code used in src/ is listed, each listed code is used,
// the warning codes are exactly DESIGN section 6's, and docs/errors.md is generated from the catalog.
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { test } from 'vitest'
import { renderErrorsDoc } from '../../scripts/errors-doc.ts'
import { apiCodes, errorCodes, warningCodes } from '../../src/errors/codes.ts'
import { ROOT } from '../helpers/cli.ts'

const CATALOGS = ['codes.ts', 'warning-codes.ts', 'error-codes.ts', 'api-codes.ts'].map((f) => join(ROOT, 'src/errors', f))
const listed = new Set([...Object.keys(warningCodes), ...Object.keys(errorCodes), ...Object.keys(apiCodes)])

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name)
    return e.isDirectory() ? sourceFiles(p) : /\.(ts|js)$/.test(e.name) && !CATALOGS.includes(p) ? [p] : []
  })
}
const sources = sourceFiles(join(ROOT, 'src')).map((file) => ({ file: relative(ROOT, file), text: readFileSync(file, 'utf8') }))

/** Places where a string literal is given as a code: AppError, jsonError, `code: '...'`, and the local warn/fail/notice helpers. */
const CODE_SITES = /(?:new AppError\(\s*|jsonError\(\s*|\bcode:\s*|\b(?:warn|fail|notice|refuse)\(\s*)'([A-Z][A-Z0-9_]{2,})'/g

test('every code given in src/ is listed in the catalog', () => {
  const unlisted = sources.flatMap(({ file, text }) =>
    [...text.matchAll(CODE_SITES)].filter((m) => !listed.has(m[1]!)).map((m) => `${file}: ${m[1]}`),
  )
  assert.deepEqual(unlisted, [], `codes used but not listed in src/errors/codes.ts: add them with their meaning and fix`)
})

test('every code in the catalog is used somewhere in src/', () => {
  const literals = new Set(sources.flatMap(({ text }) => [...text.matchAll(/'([A-Z][A-Z0-9_]{2,})'/g)].map((m) => m[1]!)))
  const unused = [...listed].filter((code) => !literals.has(code))
  assert.deepEqual(unused, [], 'codes listed in src/errors/codes.ts that nothing raises: remove them, or raise them')
})

test('the warning codes are exactly those of DESIGN section 6', () => {
  const design = join(ROOT, '../shared/DESIGN.md')
  assert.ok(existsSync(design), `${design} is missing: the contract lives in shared/ beside the checkout`)
  const text = readFileSync(design, 'utf8')
  const section = text.slice(text.indexOf('## 6. Warnings'), text.indexOf('## 7.'))
  const inDesign = new Set([...section.matchAll(/`([A-Z][A-Z_]+)`/g)].map((m) => m[1]!))
  const ours = Object.keys(warningCodes)
  assert.deepEqual(
    ours.filter((c) => !inDesign.has(c)),
    [],
    'warning codes missing from DESIGN section 6',
  )
  assert.deepEqual(
    [...inDesign].filter((c) => !(c in warningCodes)),
    [],
    'DESIGN section 6 codes missing from the catalog',
  )
})

test('docs/errors.md is generated from the catalog (run `npm run docs:errors`)', () => {
  assert.equal(readFileSync(join(ROOT, 'docs/errors.md'), 'utf8'), renderErrorsDoc(), 'docs/errors.md is stale: run `npm run docs:errors`')
})
