import type { JobRecord } from '../../queue/job-types.ts'
import { formatTable } from '../format-table.ts'

const short = (s: string | null, n = 60) => (s === null ? '-' : s.length > n ? `${s.slice(0, n - 1)}…` : s)

/** The table of `app events list`: one row per event, the first line of its last error cut short. */
export function eventsTable(jobs: JobRecord[]): string {
  return formatTable(
    ['ID', 'STATUS', 'TYPE', 'BOT', 'RESOURCE', 'RUN AT', 'ATTEMPTS', 'LAST ERROR'],
    jobs.map((j) => [
      String(j.id),
      j.status,
      j.eventType,
      j.bot ?? '-',
      j.resource ?? '-',
      j.runAt,
      String(j.attempts),
      short(j.lastError?.split('\n')[0] ?? null),
    ]),
  )
}
