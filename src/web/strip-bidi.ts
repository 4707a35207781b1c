/**
 * Bidirectional embedding, override and isolate controls (U+202A-U+202E,
 * U+2066-U+2069): a plugin name or message holding them can make text read
 * differently from what it is ("Trojan Source"). The admin's own text never
 * uses them, so rendered pages drop them everywhere.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g

export function stripBidi(text: string): string {
  return text.replace(BIDI_CONTROLS, '')
}
