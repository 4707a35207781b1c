/** How long after a watcher event the copy is made: an editor's save is several events in a few milliseconds. */
const SETTLE_MS = 50
/** A copy that changed something is made once more this much later (see below). */
const RECHECK_MS = 1000

/**
 * When `app plugin dev` copies the author's folder: 50 ms after the last watcher event, and once more a second
 * after any copy that changed something. The watcher can miss files written into a folder it has only just seen
 * (chokidar reads a new folder, then watches it), and without the second look the copy would lack them until the
 * next save. It stops once a copy finds nothing new.
 */
export function createMirrorSchedule(mirror: () => number, onError: (error: Error) => void) {
  let timer: NodeJS.Timeout | undefined
  const run = () => {
    timer = undefined
    let changed = 0
    try {
      changed = mirror()
    } catch (error) {
      onError(error as Error)
    }
    if (changed > 0) timer = setTimeout(run, RECHECK_MS)
  }
  return {
    /** A watcher event: copy once the burst is over. */
    changed(): void {
      clearTimeout(timer)
      timer = setTimeout(run, SETTLE_MS)
    },
    stop(): void {
      clearTimeout(timer)
    },
  }
}
