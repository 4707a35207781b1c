// `npm run docs:errors`: writes docs/errors.md from the code catalog (src/errors/codes.ts).
// test/errors/codes.unit.test.ts fails when the file is out of date.
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { apiCodes, errorCodes, warningCodes } from '../src/errors/codes.ts'

const cell = (text: string) => text.replace(/\|/g, '\\|')

/** The whole docs/errors.md text. */
export function renderErrorsDoc(): string {
  const rows = <T extends { meaning: string; fix: string }>(table: Record<string, T>, extra: (info: T) => string) =>
    Object.entries(table)
      .map(([code, info]) => `| \`${code}\` | ${extra(info)} | ${cell(info.meaning)} | ${cell(info.fix)} |`)
      .join('\n')
  return `# Codes

Generated from \`src/errors/codes.ts\` by \`npm run docs:errors\`; do not edit by hand. Codes are stable:
scripts and tests may branch on them. Messages say what, what was expected, what was found and the fix.

## Warning codes

Shown by \`app plugins warnings\`, \`/api/v1/warnings\` and the admin page (DESIGN section 6). Severity
\`error\`: not loaded or not updated; \`warning\`: loaded but needs attention; \`info\`.

| code | severity | meaning | fix |
|---|---|---|---|
${rows(warningCodes, (i) => i.severity)}

## CLI and role errors

Printed as one message (no stack); the process exits with the code shown: 1 runtime failure, 2 usage or
config error, 3 another scheduler holds the writer lock, 4 store missing, foreign, damaged or too new.

| code | exit code | meaning | fix |
|---|---|---|---|
${rows(errorCodes, (i) => String(i.exitCode))}

## JSON API errors

Bodies of the form \`{"error": {"code", "message"}}\`.

| code | HTTP status | meaning | fix |
|---|---|---|---|
${rows(apiCodes, (i) => String(i.status))}
`
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorsDoc())
  process.stderr.write('wrote docs/errors.md\n')
}
