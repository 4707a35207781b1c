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

const require = createRequire(import.meta.url)
// autocannon keeps every response body as a string (`req.body += chunk`: a UTF-8 decode of each byte) for an
// onResponse callback we do not use. Decoding a 50 KiB gzip body that way costs this client ten times what the
// server spends sending it (measured: 2,600 against 20,000 req/s), so the figures would time the client: keep no body.
require('autocannon/lib/pipelinedRequestsQueue.js').prototype.addBody = () => {}
// autocannon ships no types: this is the one place that touches it.
const autocannon = require('autocannon') as (
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

/** A URL to load, with the headers of each request. */
export interface Target {
  url: string
  headers?: Record<string, string>
}

/**
 * Loads `target` and `baseline` in turns, `rounds` times `seconds / rounds` each, and sums each side. On a
 * shared machine the load of the moment then weighs on both alike: a lone baseline run before all the others
 * made every ratio drift with whatever else ran (the same code measured 0.21x and 0.39x a minute apart).
 */
export async function loadInTurns(
  target: Target,
  baseline: Target,
  options: { seconds: number; rounds?: number },
): Promise<{ target: LoadResult; baseline: LoadResult }> {
  const rounds = options.rounds ?? 5
  const seconds = Math.max(1, Math.round(options.seconds / rounds))
  const runs: { target: LoadResult[]; baseline: LoadResult[] } = { target: [], baseline: [] }
  for (let i = 0; i < rounds; i++) {
    runs.baseline.push(await load(baseline.url, { seconds, headers: baseline.headers }))
    runs.target.push(await load(target.url, { seconds, headers: target.headers }))
  }
  return { target: combine(runs.target), baseline: combine(runs.baseline) }
}

/** Runs of equal length as one: mean rate, median p50 and p99 (one round that met a busy machine does not decide), the worst max, totals. */
function combine(runs: LoadResult[]): LoadResult {
  const sum = (f: (r: LoadResult) => number) => runs.reduce((n, r) => n + f(r), 0)
  const median = (f: (r: LoadResult) => number) => runs.map(f).sort((a, b) => a - b)[Math.floor(runs.length / 2)]!
  const requests = sum((r) => r.requests)
  return {
    rps: sum((r) => r.rps) / runs.length,
    p50: median((r) => r.p50),
    p99: median((r) => r.p99),
    max: Math.max(...runs.map((r) => r.max)),
    requests,
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    bytesPerRequest: requests ? sum((r) => r.bytesPerRequest * r.requests) / requests : 0,
  }
}
