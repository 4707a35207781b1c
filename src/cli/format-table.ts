import { terminalSafe } from './print-output.ts'

/**
 * Plain aligned columns for terminal output; the last column is never padded.
 * Cells are made terminal-safe first, so an escape sequence in a name can
 * neither act on the terminal nor throw the columns out of line.
 */
export function formatTable(headers: string[], rows: string[][]): string {
  const safe = rows.map((r) => r.map((c) => terminalSafe(c ?? '')))
  const widths = headers.map((h, i) => Math.max(h.length, ...safe.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(headers), ...safe.map(line)].join('\n')
}
