const BASE_MS = 1000
const MAX_MS = 3600_000

/** Delay before retry number `attempt` (1-based): 1 s, 2 s, 4 s ... capped at 1 h, plus up to 10% jitter so retries of one burst spread out. */
export function backoffMs(attempt: number, random = Math.random): number {
  const base = Math.min(BASE_MS * 2 ** Math.max(0, attempt - 1), MAX_MS)
  return Math.round(base * (1 + random() * 0.1))
}
