import { pino, type Logger } from 'pino'
import pretty from 'pino-pretty'
import { createJsonLogger } from './create-json-logger.ts'

export type { Logger }

/**
 * JSON lines when the stream is not a TTY (log shippers), readable lines on a
 * TTY. pino-pretty runs as a synchronous stream, not a transport thread, so
 * it also works inside the single executable. Roles log to stdout; one-shot
 * commands log to stderr so their --json output stays parseable.
 */
export function createLogger(options: { level?: string; destination?: 1 | 2 } = {}): Logger {
  const level = options.level ?? 'info'
  const fd = options.destination ?? 1
  const tty = (fd === 1 ? process.stdout : process.stderr).isTTY === true
  if (!tty) return createJsonLogger({ level, destination: fd })
  return pino(
    { level, base: undefined },
    pretty({ sync: true, destination: fd, colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' }),
  )
}
