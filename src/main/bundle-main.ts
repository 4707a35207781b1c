import { isMainThread, workerData } from 'node:worker_threads'

/**
 * Entry of the esbuild bundle (dist/app.cjs and the single executable). The
 * bundle is also the code of every worker thread (spawnThread), so a thread
 * started with an `entry` runs thread-main's dispatch instead of the CLI.
 * No top-level await: the bundle is CommonJS, which a SEA main script must be.
 */
if (!isMainThread && (workerData as { entry?: unknown } | null)?.entry !== undefined) {
  void import('./thread-main.ts')
} else {
  void Promise.all([import('../cli/main.ts'), import('../cli/exit-after-output.ts')]).then(([{ main }, { runAndExit }]) =>
    runAndExit(() => main(process.argv.slice(2))),
  )
}
