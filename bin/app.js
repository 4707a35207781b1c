#!/usr/bin/env node
// Runs the CLI from source: Node 24 strips the TypeScript types natively, so
// there is no build step and no loader between `npx app` and src/.
import { runAndExit } from '../src/cli/exit-after-output.ts'
import { main } from '../src/cli/main.ts'

// Exit explicitly (a role interrupted while starting may still hold a timer), but only
// once stdout and stderr have drained: writes to a pipe are asynchronous.
await runAndExit(() => main(process.argv.slice(2)))
