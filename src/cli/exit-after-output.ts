/**
 * The one way the CLI ends (bin/app.js and the single executable): runs the
 * command, then exits with its code once everything written to stdout and
 * stderr has left the process. Writes to a pipe are asynchronous: exiting
 * right after a large write cut `app events list --json | jq` at the pipe's
 * 64 KiB. The exit stays explicit: a role interrupted while starting (say,
 * waiting for the store) may still hold a timer.
 */
export async function runAndExit(command: () => Promise<number>): Promise<never> {
  // A reader that stops early (`| head`) makes pending writes fail with EPIPE: its choice, not a crash of ours.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {})
  const code = await command()
  await Promise.all([drained(process.stdout), drained(process.stderr)])
  process.exit(code)
}

/** Resolves when the stream's queued writes are done (or failed: the reader went away). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || stream.writableEnded || stream.writableLength === 0) return Promise.resolve()
  // Writes complete in order: the callback of an empty write runs after every earlier one.
  return new Promise((resolve) => {
    stream.write('', () => resolve())
  })
}
