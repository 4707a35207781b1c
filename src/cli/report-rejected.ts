import { ExitCode } from '../errors/app-error.ts'
import type { RowIssue } from '../resources/row-issues.ts'
import { printError } from './print-output.ts'

/** Rejected rows go to stderr, one line each, and make the exit code 1; the good rows have landed. */
export function reportRejected(rejected: RowIssue[], what: string): void {
  for (const r of rejected)
    printError(`app: ${r.index < 0 ? 'file' : `${what} #${r.index}${r.id ? ` ("${r.id}")` : ''}`}: ${r.field}: ${r.message}`)
  if (rejected.length) process.exitCode = ExitCode.runtime
}
