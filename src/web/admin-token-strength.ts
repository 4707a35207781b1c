export const MIN_TOKEN_LENGTH = 16
/** Below this estimate a token is a few characters repeated (`aaaabbbbccccdddd` is 32 bits); 16 random hex digits are 64. */
export const MIN_ESTIMATED_BITS = 40

/**
 * What makes `token` too weak to guard the admin, as the end of "the admin
 * token from X ...", or null: fewer than 16
 * characters, one piece repeated (`abcabcabc...`), a run (`0123456789abcdef`),
 * or a low estimated entropy (length times the Shannon entropy of its
 * characters). The answer never contains the token.
 */
export function tokenWeakness(token: string): string | null {
  const chars = [...token]
  if (chars.length < MIN_TOKEN_LENGTH) return `has ${chars.length} characters`
  if (chars.length <= 4096 && /^([\s\S]+?)\1+$/.test(token)) return 'is one short piece repeated'
  if (runShare(chars) >= 0.75) return 'is mostly a run of consecutive characters (like abcd or 1234)'
  const bits = estimatedBits(chars)
  if (bits < MIN_ESTIMATED_BITS)
    return `uses so few distinct characters that its estimated entropy is ${Math.floor(bits)} bits (at least ${MIN_ESTIMATED_BITS} needed)`
  return null
}

/** Length times the Shannon entropy per character: what a random string of these characters would hold. */
function estimatedBits(chars: string[]): number {
  const counts = new Map<string, number>()
  for (const ch of chars) counts.set(ch, (counts.get(ch) ?? 0) + 1)
  let perChar = 0
  for (const n of counts.values()) perChar -= (n / chars.length) * Math.log2(n / chars.length)
  return perChar * chars.length
}

/** The share of neighbouring pairs that step by +1 or -1 (a, b, c... or 9, 8, 7...). */
function runShare(chars: string[]): number {
  let steps = 0
  for (let i = 1; i < chars.length; i++) if (Math.abs(chars[i]!.codePointAt(0)! - chars[i - 1]!.codePointAt(0)!) === 1) steps++
  return steps / (chars.length - 1)
}
