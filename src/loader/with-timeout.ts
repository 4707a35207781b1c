import { pluginPaths } from './stack-paths.ts'

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown } | { ok: false; timedOut: true }

/** Runs fn (sync throws included) against a deadline; never throws. */
export async function withTimeout<T>(fn: () => T | Promise<T>, timeoutMs: number): Promise<Outcome<Awaited<T>>> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<Outcome<Awaited<T>>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, timedOut: true }), timeoutMs)
  })
  try {
    const run = (async () => ({ ok: true as const, value: await fn() }))().catch((error: unknown) => ({ ok: false as const, error }))
    return await Promise.race([run, deadline])
  } finally {
    clearTimeout(timer)
  }
}

/** message and detail (stack) of anything thrown, naming plugin files by their own paths, never the cache's. */
export const describeError = (error: unknown): { message: string; detail: string } => {
  if (error instanceof Error)
    return {
      message: pluginPaths(`${error.name}: ${error.message}`),
      detail: pluginPaths(error.stack ?? `${error.name}: ${error.message}`),
    }
  const text = (() => {
    try {
      return JSON.stringify(error) ?? String(error)
    } catch {
      return String(error)
    }
  })()
  return { message: `a non-Error value was thrown: ${text.slice(0, 200)}`, detail: text }
}
