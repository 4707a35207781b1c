/**
 * Every stable code `app` gives out, in one place (as fastify's lib/errors.js): warning codes (DESIGN
 * section 6), CLI error codes with their exit code, and JSON API error codes with their HTTP status.
 * Messages may change; codes do not. `docs/errors.md` is generated from them
 * (`npm run docs:errors`), and test/errors/codes.unit.test.ts fails on a code used but not listed,
 * listed but unused, or missing from DESIGN section 6.
 */

import { apiCodes } from './api-codes.ts'
import { errorCodes } from './error-codes.ts'
import { warningCodes } from './warning-codes.ts'

export { apiCodes, errorCodes, warningCodes }

export type WarningCode = keyof typeof warningCodes
export type ErrorCode = keyof typeof errorCodes
export type ApiCode = keyof typeof apiCodes
