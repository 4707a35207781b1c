#!/usr/bin/env node
// Runs the CLI from source: Node 24 strips the TypeScript types natively, so
// there is no build step and no loader between `npx app` and src/.
import module from 'node:module'

// Node's on-disk compile cache (in the OS temp dir, keyed by each file's content): a start from source
// reads about 400 modules, and with the cache a CLI command starts in about half the time. Set in the
// environment too, so worker threads and the processes this one starts use it.
const cache = module.enableCompileCache?.()
if (cache?.directory) process.env.NODE_COMPILE_CACHE = cache.directory

// Exit explicitly (a role interrupted while starting may still hold a timer), but only
// once stdout and stderr have drained: writes to a pipe are asynchronous.
const { runAndExit } = await import('../src/cli/exit-after-output.ts')
const { main } = await import('../src/cli/main.ts')
await runAndExit(() => main(process.argv.slice(2)))
