import { createRequire } from 'node:module'

export interface LoadResult {
  /** Mean requests per second. */
  rps: number
  p50: number
  p99: number
  max: number
  requests: number
  non2xx: number
  errors: number
  bytesPerRequest: number
}

interface AutocannonResult {
  requests: { average: number; total: number }
  latency: { p50: number; p99: number; max: number }
  throughput: { total: number }
  non2xx: number
  errors: number
}

// autocannon ships no types: this is the one place that touches it.
const autocannon = createRequire(import.meta.url)('autocannon') as (
  options: Record<string, unknown>,
  done: (error: Error | null, result: AutocannonResult) => void,
) => { stop(): void }

/** Loads `url` with `connections` keep-alive connections for `seconds`, or until `until` settles if that comes first. */
export async function load(
  url: string,
  options: { connections?: number; seconds?: number; headers?: Record<string, string>; until?: Promise<unknown> } = {},
): Promise<LoadResult> {
  const r = await new Promise<AutocannonResult>((resolve, reject) => {
    const tracker = autocannon(
      { url, connections: options.connections ?? 10, duration: options.seconds ?? 10, headers: options.headers ?? {} },
      (error, result) => (error ? reject(error) : resolve(result)),
    )
    void options.until?.then(() => tracker.stop())
  })
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    bytesPerRequest: r.requests.total ? r.throughput.total / r.requests.total : 0,
  }
}
