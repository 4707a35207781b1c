import { errorCodes, type ErrorCode } from './codes.ts'

/** Process exit codes of DESIGN section 10: tests outside the repo rely on them. */
export const ExitCode = {
  ok: 0,
  runtime: 1,
  usage: 2,
  locked: 3,
  store: 4,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

/**
 * An error the CLI reports as a clean message and an exit code, not a stack.
 * `code` is stable (callers branch on it); the message says what, expected,
 * found and how to fix it.
 */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly exitCode: ExitCodeValue

  /** The exit code comes from the catalog (src/errors/codes.ts) unless the caller has a reason to differ. */
  constructor(code: ErrorCode, message: string, options: { exitCode?: ExitCodeValue; cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.name = 'AppError'
    this.code = code
    this.exitCode = options.exitCode ?? errorCodes[code].exitCode
  }
}
