import assert from 'node:assert/strict'
import { test } from 'vitest'
import { Schedule } from '../../src/sdk/schedule.ts'

test('Schedule refuses bad input with what was expected and found', () => {
  assert.throws(() => Schedule.cron('61 * * * *'), /Schedule\.cron: invalid cron schedule "61 \* \* \* \*"/)
  assert.throws(() => Schedule.cron('0 * * * *', { timezone: 'Mars/Olympus' }), /in time zone "Mars\/Olympus"/)
  assert.throws(
    () => Schedule.once('not a date'),
    /Schedule\.once\(date\): expected a Date, an ISO date string or ms since the epoch; found "not a date"/,
  )
  assert.throws(() => Schedule.interval(10), /at least 1000 ms/)
  assert.throws(() => Schedule.interval({ weeks: 1 } as never), /only the keys days, hours, minutes, seconds, ms/)
})

test('Schedule builds plain data the scheduler stores', () => {
  assert.deepEqual(Schedule.once(new Date('2030-01-02T03:04:05Z')), { kind: 'once', at: '2030-01-02T03:04:05.000Z' })
  assert.deepEqual(Schedule.interval({ hours: 1, minutes: 30 }), { kind: 'interval', everyMs: 5_400_000 })
  assert.deepEqual(Schedule.interval(60_000, { startAt: '2030-01-01T00:00:00Z' }), {
    kind: 'interval',
    everyMs: 60_000,
    startAt: '2030-01-01T00:00:00.000Z',
  })
  assert.deepEqual(Schedule.cron('0 * * * *', { timezone: 'UTC' }), { kind: 'cron', expr: '0 * * * *', timezone: 'UTC' })
})
