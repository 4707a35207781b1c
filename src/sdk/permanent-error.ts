/**
 * `throw new PermanentError('queue does not exist')` from plugin code: a
 * failure that retrying cannot fix, so the job should fail at once rather
 * than be retried (DESIGN section 5b). Recognized by its name, which survives
 * the trip from a handler thread, where the class does not.
 */
export class PermanentError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'PermanentError'
  }
}

/** True for a PermanentError, also one rebuilt from another thread (only its name is left). */
export const isPermanentError = (error: unknown): boolean => (error as { name?: unknown } | null)?.name === 'PermanentError'
