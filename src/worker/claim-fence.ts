/**
 * Whether this worker may still start (and keep running) the jobs it holds.
 * The scheduler requeues a worker's jobs once its heartbeat is older than
 * jobs.heartbeatTimeoutMs (or a lease ran out), and another worker may then
 * run them. So a job starts only while the worker's last confirmation (one
 * commit: heartbeat + lease renewal) is younger than fenceMs, a fraction of
 * both, and only if no confirmation gap longer than fenceMs happened since it
 * was claimed: after a gap (a frozen process, a disk that stalled) its claims
 * may have been requeued even though confirmations succeed again, so the
 * epoch moves on and every older claim is void.
 *
 * Shared memory, so handler threads check it themselves: a stalled main
 * thread stops confirming, and the threads stop starting jobs on their own.
 */
export function claimFence(fenceMs: number, buffer = new SharedArrayBuffer(16)) {
  const cells = new BigInt64Array(buffer) // [confirmed at (ms), epoch]
  return {
    buffer,
    fenceMs,
    /** Main thread: a confirmation committed at `at`. Returns true when it ended a gap (older claims are void). */
    confirmed(at: number): boolean {
      const gap = at - Number(Atomics.load(cells, 0)) > fenceMs
      // The epoch moves before the new time is visible: a thread that sees the new time sees the new epoch.
      if (gap) Atomics.add(cells, 1, 1n)
      Atomics.store(cells, 0, BigInt(at))
      return gap
    },
    epoch(): number {
      return Number(Atomics.load(cells, 1))
    },
    /** How long since the last confirmation, in ms. */
    age(now = Date.now()): number {
      return now - Number(Atomics.load(cells, 0))
    },
    /** Whether a job claimed in `epoch` may start, or keep running, now. */
    valid(epoch: number | undefined, now = Date.now()): boolean {
      if (now - Number(Atomics.load(cells, 0)) > fenceMs) return false // read the time first: see confirmed()
      return epoch === undefined || epoch === Number(Atomics.load(cells, 1))
    },
  }
}

export type ClaimFence = ReturnType<typeof claimFence>
