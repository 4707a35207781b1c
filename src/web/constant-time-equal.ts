import { createHash, timingSafeEqual } from 'node:crypto'

const digest = (s: string) => createHash('sha256').update(s).digest()

/** Compares secrets in constant time; hashing first makes lengths equal, so the length leaks nothing either. */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b))
}

/** constantTimeEqual against one fixed secret, hashed once rather than on every request that presents it. */
export function secretMatcher(secret: string): (candidate: string) => boolean {
  const expected = digest(secret)
  return (candidate) => timingSafeEqual(digest(candidate), expected)
}
