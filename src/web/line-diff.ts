/** One line of a diff: kept, removed from the old text, or added in the new one, with its line numbers. */
export interface DiffLine {
  op: ' ' | '-' | '+'
  text: string
  a: number | null
  b: number | null
}

/** A run of changes with a few kept lines around it. */
export interface Hunk {
  aStart: number
  bStart: number
  lines: DiffLine[]
}

/**
 * The shortest line edit script from `a` to `b` (Myers' O(ND) algorithm), as
 * diff lines. `maxEdits` bounds the work: null when the texts differ in more
 * lines than that (the caller says "too different to show").
 */
export function diffLines(a: string[], b: string[], maxEdits = 4000): DiffLine[] | null {
  const n = a.length
  const m = b.length
  const max = Math.min(n + m, maxEdits)
  const offset = max + 1
  const v = new Int32Array(2 * max + 3)
  const trace: Int32Array[] = []
  let found = -1
  for (let d = 0; d <= max && found < 0; d++) {
    trace.push(v.slice())
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1
      let y = x - k
      while (x < n && y < m && a[x] === b[y]) {
        x++
        y++
      }
      v[offset + k] = x
      if (x >= n && y >= m) {
        found = d
        break
      }
    }
  }
  if (found < 0) return null
  // Walk back through the saved frontiers.
  const out: DiffLine[] = []
  let x = n
  let y = m
  for (let d = found; d > 0; d--) {
    const prev = trace[d]!
    const k = x - y
    const down = k === -d || (k !== d && prev[offset + k - 1]! < prev[offset + k + 1]!)
    const pk = down ? k + 1 : k - 1
    const px = prev[offset + pk]!
    const py = px - pk
    while (x > px + (down ? 0 : 1) && y > py + (down ? 1 : 0)) {
      x--
      y--
      out.push({ op: ' ', text: a[x]!, a: x + 1, b: y + 1 })
    }
    if (down) {
      y--
      out.push({ op: '+', text: b[y]!, a: null, b: y + 1 })
    } else {
      x--
      out.push({ op: '-', text: a[x]!, a: x + 1, b: null })
    }
  }
  while (x > 0 && y > 0) {
    x--
    y--
    out.push({ op: ' ', text: a[x]!, a: x + 1, b: y + 1 })
  }
  return out.reverse()
}

/** The changed runs with `context` kept lines on each side, as unified diff hunks. */
export function hunks(lines: DiffLine[], context = 3): Hunk[] {
  const shown = new Uint8Array(lines.length)
  lines.forEach((line, i) => {
    if (line.op === ' ') return
    for (let j = Math.max(0, i - context); j <= Math.min(lines.length - 1, i + context); j++) shown[j] = 1
  })
  const out: Hunk[] = []
  let current: Hunk | null = null
  lines.forEach((line, i) => {
    if (!shown[i]) {
      current = null
      return
    }
    if (!current) out.push((current = { aStart: 0, bStart: 0, lines: [] }))
    current.lines.push(line)
  })
  for (const h of out) {
    h.aStart = h.lines.find((l) => l.a !== null)?.a ?? 0
    h.bStart = h.lines.find((l) => l.b !== null)?.b ?? 0
  }
  return out
}
