#!/usr/bin/env node
// Runs the CLI from source: Node 24 strips the TypeScript types natively, so
// there is no build step and no loader between `npx app` and src/.
import { main } from '../src/cli/main.ts'

// Exit explicitly: a role interrupted while starting (say, waiting for the store)
// may still hold a timer, and stdout/stderr writes are synchronous on Linux.
process.exit(await main(process.argv.slice(2)))
