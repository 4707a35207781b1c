import { pino } from 'pino'
import type { Logger } from '../log/create-logger.ts'

/** One line a plugin logged, with pino's numeric level as its name. */
export interface LogLine {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'
  msg?: string
  plugin: string
  version: string
  time: number
  [key: string]: unknown
}

const LABELS = pino.levels.labels as Record<number, LogLine['level']>

/**
 * A logger that keeps its lines instead of printing them: the test host's
 * roles log through it, and `host.logs` is the plugin's share (its `log` and
 * console calls, tagged with its name). Test output stays the test runner's.
 */
export function createCaptureLog(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const stream = {
    write(text: string) {
      try {
        const line = JSON.parse(text) as Record<string, unknown>
        lines.push({ ...line, level: LABELS[line.level as number] ?? line.level })
      } catch {
        /* pino writes whole JSON lines */
      }
    },
  }
  return { logger: pino({ level: 'debug', base: undefined }, stream), lines }
}

/** The lines of one plugin, oldest first (copies: a test cannot change what the next assertion reads). */
export function pluginLines(lines: Array<Record<string, unknown>>, plugin: string): LogLine[] {
  return lines.filter((l) => l.plugin === plugin).map((l) => ({ ...l }) as LogLine)
}
