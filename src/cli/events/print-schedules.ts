import type { Command } from 'commander'
import { describeSchedule } from '../../schedules/list-schedules.ts'
import { formatTable } from '../format-table.ts'
import { print, printJson } from '../print-output.ts'
import { withRuntime } from '../with-runtime.ts'

/** `app events list --schedules`: plugin jobs, bot schedules and scheduled bot events, with next and last run. */
export async function printSchedules(cmd: Command, json: boolean): Promise<void> {
  await withRuntime(cmd, async (runtime) => {
    const list = await runtime.schedules.list()
    if (json) return printJson({ schedules: list })
    if (!list.length) return print('no schedules')
    print(
      formatTable(
        ['PLUGIN', 'ID', 'KIND', 'SCHEDULE', 'NEXT RUN', 'LAST RUN'],
        list.map((s) => [
          s.plugin ?? '-',
          s.id,
          s.kind,
          describeSchedule(s.schedule),
          s.active ? (s.nextRunAt ?? '-') : 'paused (plugin not in the generation)',
          s.lastRunAt ?? '-',
        ]),
      ),
    )
  })
}
