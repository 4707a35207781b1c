import type { Context } from 'hono'

export interface SignInThrottle {
  /** Seconds this client must wait before its token is even compared again; 0 when it may try now. */
  retryAfterS(client: string, now?: number): number
  failed(client: string, now?: number): void
  succeeded(client: string): void
}

export const MAX_FAILURES = 10
export const FAILURE_WINDOW_MS = 60_000
/** Bounds the memory a flood of addresses can take; the oldest entries go first. */
const MAX_CLIENTS = 10_000

/**
 * Counts failed sign-ins (form or Bearer) per client address: after
 * MAX_FAILURES within FAILURE_WINDOW_MS the client waits until the oldest of
 * them leaves the window, and its attempts are refused without comparing the
 * token, so a guess made while throttled learns nothing. Kept in memory per
 * web process: with several behind one balancer an address gets that many
 * tries per process, still nowhere near enough against a 16+ character token.
 */
export function createSignInThrottle(options: { maxFailures?: number; windowMs?: number } = {}): SignInThrottle {
  const max = options.maxFailures ?? MAX_FAILURES
  const windowMs = options.windowMs ?? FAILURE_WINDOW_MS
  const failures = new Map<string, number[]>() // per client, its last `max` failure times, oldest first
  return {
    retryAfterS(client, now = Date.now()) {
      const times = failures.get(client)
      if (!times || times.length < max || times[0]! + windowMs <= now) return 0
      return Math.max(1, Math.ceil((times[0]! + windowMs - now) / 1000))
    },
    failed(client, now = Date.now()) {
      const times = failures.get(client) ?? []
      times.push(now)
      if (times.length > max) times.shift()
      failures.delete(client) // re-inserted last: Map order is then least recently failed first
      failures.set(client, times)
      if (failures.size > MAX_CLIENTS) failures.delete(failures.keys().next().value!)
    },
    succeeded(client) {
      failures.delete(client)
    },
  }
}

/**
 * The address the request came from: the socket's peer (never a forwarded
 * header, which the guesser would simply vary). IPv6 clients count per /64,
 * the block one host usually holds. In-process requests (tests) share one.
 */
export function clientAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined
  const address = env?.incoming?.socket?.remoteAddress
  if (!address) return 'local'
  if (!address.includes(':') || address.startsWith('::ffff:')) return address
  return `${ipv6Groups(address).slice(0, 4).join(':')}::/64`
}

function ipv6Groups(address: string): string[] {
  const [head = '', tail] = address.split('%')[0]!.split('::')
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const zeros = tail === undefined ? [] : Array(Math.max(0, 8 - left.length - right.length)).fill('0')
  return [...left, ...zeros, ...right].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
}
