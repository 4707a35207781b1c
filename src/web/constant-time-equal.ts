import { createHash, timingSafeEqual } from 'node:crypto'

/** Compares secrets in constant time; hashing first makes lengths equal, so the length leaks nothing either. */
export function constantTimeEqual(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest()
  return timingSafeEqual(digest(a), digest(b))
}
