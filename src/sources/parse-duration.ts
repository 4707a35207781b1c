const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** "30s", "5m", "1h", "250ms" -> milliseconds (the config schema has checked the form). */
export function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(text)
  if (!match) throw new Error(`expected a duration like "30s", "5m" or "1h"; found ${JSON.stringify(text)}`)
  return Number(match[1]) * UNIT_MS[match[2]!]!
}
