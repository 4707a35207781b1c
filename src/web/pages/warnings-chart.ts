import { html } from 'hono/html'
import type { StoredWarning } from '../../report/stored-warning.ts'
import type { Severity } from '../../store/store-types.ts'
import type { Html } from './page-parts.ts'

const DAYS = 7
const DAY_MS = 86_400_000
const ORDER: Severity[] = ['error', 'warning', 'info']
/** The badge colours, dark enough for 3:1 against white (WCAG 1.4.11). */
const FILL: Record<Severity, string> = { error: '#b42318', warning: '#b54708', info: '#175cd3' }

export interface DayCounts {
  day: string
  counts: Record<Severity, number>
}

/**
 * Warnings seen on each of the last 7 days (UTC), by severity: a warning
 * counts on every day between its first and last sighting.
 */
export function warningsPerDay(warnings: StoredWarning[], now: number): DayCounts[] {
  const today = Math.floor(now / DAY_MS) * DAY_MS
  const days: DayCounts[] = Array.from({ length: DAYS }, (_, i) => ({
    day: new Date(today - (DAYS - 1 - i) * DAY_MS).toISOString().slice(0, 10),
    counts: { error: 0, warning: 0, info: 0 },
  }))
  const first = today - (DAYS - 1) * DAY_MS
  // Warnings of one load report share their times: each distinct one is parsed once.
  const parsed = new Map<string, number>()
  const dayOf = (iso: string) => {
    let day = parsed.get(iso)
    if (day === undefined) parsed.set(iso, (day = Math.floor(Date.parse(iso) / DAY_MS) * DAY_MS))
    return day
  }
  for (const w of warnings) {
    const from = dayOf(w.firstSeen)
    const to = dayOf(w.lastSeen)
    if (Number.isNaN(from) || Number.isNaN(to)) continue
    for (let d = Math.max(from, first); d <= Math.min(to, today); d += DAY_MS) days[(d - first) / DAY_MS]!.counts[w.severity]++
  }
  return days
}

/** A stacked bar chart drawn on the server as SVG (no script), with the same figures as a table for screen readers. */
export function warningsChart(warnings: StoredWarning[], now: number): Html {
  const days = warningsPerDay(warnings, now)
  const max = Math.max(1, ...days.map((d) => ORDER.reduce((n, s) => n + d.counts[s], 0)))
  const [W, H, left, bottom, top] = [560, 160, 36, 22, 8]
  const slot = (W - left) / DAYS
  const bar = Math.min(44, slot * 0.6)
  const y = (n: number) => top + (H - top - bottom) * (1 - n / max)
  const bars = days.map((d, i) => {
    let base = 0
    const x = left + i * slot + (slot - bar) / 2
    const parts = ORDER.filter((s) => d.counts[s]).map((s) => {
      const y0 = y(base + d.counts[s])
      const h = y(base) - y0
      base += d.counts[s]
      return html`<rect x="${x.toFixed(1)}" y="${y0.toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}" fill="${FILL[s]}"><title>${d.day}: ${d.counts[s]} ${s}</title></rect>`
    })
    return html`${parts}<text x="${(x + bar / 2).toFixed(1)}" y="${H - 6}" text-anchor="middle" font-size="11" fill="#59636e">${d.day.slice(5)}</text>`
  })
  return html`<figure class="chart" aria-labelledby="chart-title">
<figcaption id="chart-title">Warnings seen per day, last ${DAYS} days (UTC)
<span class="legend">${ORDER.map((s) => html`<span class="key ${s}">${s}</span>`)}</span></figcaption>
<svg viewBox="0 0 ${W} ${H}" width="100%" height="${H}" aria-hidden="true" focusable="false" preserveAspectRatio="xMinYMid meet">
<line x1="${left}" y1="${y(0)}" x2="${W}" y2="${y(0)}" stroke="#d1d9e0"/>
<text x="${left - 6}" y="${y(max) + 4}" text-anchor="end" font-size="11" fill="#59636e">${max}</text>
<text x="${left - 6}" y="${y(0) + 4}" text-anchor="end" font-size="11" fill="#59636e">0</text>
${bars}
</svg>
<table class="sr-only"><caption>Warnings seen per day by severity</caption><thead><tr><th>Day</th>${ORDER.map((s) => html`<th>${s}</th>`)}</tr></thead>
<tbody>${days.map((d) => html`<tr><td>${d.day}</td>${ORDER.map((s) => html`<td>${d.counts[s]}</td>`)}</tr>`)}</tbody></table>
</figure>`
}
