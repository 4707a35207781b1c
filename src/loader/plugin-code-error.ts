import { describeError } from './with-timeout.ts'

/** Whose code failed: the plugin and version a RUNTIME_ERROR is recorded against. */
export interface PluginOwner {
  plugin: string
  version: string
}

/**
 * A failure of one plugin's code at run time (a filter or action that threw
 * or outlived its timeout). `warning` is the RUNTIME_ERROR message: stable
 * across repeats (no resource or job ids), so repeats count up one warning;
 * `message` says what happened to this job. The plugin's own error is `cause`.
 */
export class PluginCodeError extends Error {
  readonly plugin: string
  readonly version: string
  readonly warning: string
  readonly timedOut: boolean
  constructor(owner: PluginOwner, what: string, where: string, cause: unknown, timedOut: boolean) {
    const why = timedOut
      ? `did not finish within jobs.timeoutMs (${describeError(cause).message.replace(/^Error: /, '')}); make it return sooner (it gets no AbortSignal: bound its waits), or raise jobs.timeoutMs`
      : `threw ${describeError(cause).message}`
    super(`${what} (plugin ${owner.plugin} ${owner.version}) ${why}${where}`, { cause })
    this.name = 'PluginCodeError'
    this.plugin = owner.plugin
    this.version = owner.version
    this.warning = `${what} ${why}`
    this.timedOut = timedOut
  }
}

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function'

/**
 * Calls plugin code and turns its failure into a PluginCodeError naming it.
 * A promise it returns is raced against `signal` (the job's timeout): code
 * that never settles fails the job at the timeout instead of holding its
 * handler thread until the thread is terminated.
 */
export async function callPluginCode<T>(
  owner: PluginOwner,
  what: string,
  where: string,
  signal: AbortSignal,
  fn: () => T | Promise<T>,
): Promise<Awaited<T>> {
  let value: T | Promise<T>
  try {
    value = fn()
  } catch (error) {
    throw new PluginCodeError(owner, what, where, error, false)
  }
  if (!isThenable(value)) return value as Awaited<T>
  return new Promise<Awaited<T>>((resolve, reject) => {
    const onAbort = () => reject(new PluginCodeError(owner, what, where, signal.reason, true))
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort, { once: true })
    ;(value as PromiseLike<Awaited<T>>).then(
      (v) => {
        signal.removeEventListener('abort', onAbort)
        resolve(v)
      },
      (error) => {
        signal.removeEventListener('abort', onAbort)
        reject(new PluginCodeError(owner, what, where, error, false))
      },
    )
  })
}
