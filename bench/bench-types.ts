/** One figure of `npm run bench`: a measurement and the baseline measured in the same run. */
export interface BenchResult {
  /** Stable id, e.g. 'publish.cold'. */
  name: string
  /** What was measured, in words, for the README table. */
  what: string
  value: number
  unit: string
  baseline: { what: string; value: number } | null
  /** value / baseline.value (or the inverse where higher is better: say so in `what`). */
  ratio: number | null
  goal?: string
  met?: boolean
  notes?: string
}

/** Each bench/*.bench.ts exports `run()`; bench/run.ts runs them all and writes the results. */
export type Bench = () => Promise<BenchResult[]>
