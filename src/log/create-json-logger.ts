import { pino, type Logger } from 'pino'

/**
 * JSON lines, written synchronously to stdout (1) or stderr (2): what log shippers read, and all a worker
 * thread needs (its streams are never a TTY). Apart from create-logger.ts so that threads do not load
 * pino-pretty and its dependencies at every start.
 */
export function createJsonLogger(options: { level?: string; destination?: 1 | 2 } = {}): Logger {
  return pino({ level: options.level ?? 'info' }, pino.destination({ fd: options.destination ?? 1, sync: true }))
}
