#!/usr/bin/env node
// Runs the CLI from source: Node 24 strips the TypeScript types natively, so
// there is no build step and no loader between `npx app` and src/.
import { main } from '../src/cli/main.ts'

process.exitCode = await main(process.argv.slice(2))
