/**
 * The CLI's one way to write for people, and its one way to write JSON.
 * Human output carries text that plugins, archives, resource imports and
 * remote sources control (names, messages, errors), and a terminal obeys
 * escape sequences in it: ESC[2J clears the screen, OSC 52 writes the
 * clipboard, a CR or backspaces hide what came before. So human output is
 * stripped of control characters (DESIGN section 8); JSON output is exact,
 * since JSON.stringify escapes C0 controls and a parser must see the data.
 */

// CSI (ESC [ or 0x9B) params, intermediates, final; OSC/DCS/SOS/PM/APC strings ended by BEL or ST on the same
// line (an unended one loses only its introducer, so it cannot swallow the lines after it); other ESC sequences.
const ANSI_SEQUENCE =
  /(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)|\x1b[ -/]*[0-~]?/g
// C0 except \t and \n, DEL, C1.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g

/** Text without ANSI escape sequences and control characters, except newline and tab. */
export function terminalSafe(text: string): string {
  return text.replace(ANSI_SEQUENCE, '').replace(CONTROL, '')
}

/** One line (or block) of human output on stdout. */
export function print(text: string): void {
  process.stdout.write(`${terminalSafe(text)}\n`)
}

/** A human message on stderr (errors, notes), stripped like print(). */
export function printError(text: string): void {
  process.stderr.write(`${terminalSafe(text)}\n`)
}

/** Machine output: exactly the data, pretty-printed. */
export function printJson(data: unknown): void {
  process.stdout.write(`${JSON.stringify(data, null, 2)}\n`)
}
