import { Worker, type WorkerOptions } from 'node:worker_threads'
import { bundledThreadScript } from '../sea/thread-script.ts'

/**
 * The one place worker threads are created. Each thread runs thread-main.ts,
 * which dispatches on `entry`; the single-executable build swaps how the
 * thread's code is found, so no caller needs to know how it was packaged.
 */
export function spawnThread(entry: string, workerData: unknown, options: Omit<WorkerOptions, 'workerData'> = {}): Worker {
  const bundled = bundledThreadScript()
  const script = bundled?.script ?? new URL('../main/thread-main.ts', import.meta.url)
  return new Worker(script, { ...options, eval: bundled?.eval ?? false, workerData: { entry, data: workerData } })
}
