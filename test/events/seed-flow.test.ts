import { SEED_BOT } from '../helpers/seed-bot.ts'
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { ROOT, runCli, startCli, tempDir } from '../helpers/cli.ts'
import { copySamplePlugins } from './fixtures/jobs-plugin.ts'
import { waitUntil } from '../helpers/wait-until.ts'

test('the seed flow: a bot finds stopped instances, schedules start_resource events, and the handler starts them', async (t) => {
  const root = tempDir(t)
  copySamplePlugins(join(root, 'plugins'), ['instance-type-blacklist', 'start-resource-later'])
  mkdirSync(join(root, 'data'))
  const env = { APP_SETTLE_MS: '0' }
  const app = (...args: string[]) => runCli([...args, '--data-dir', 'data'], { cwd: root, env })
  const scheduler = startCli(['--role=scheduler', '--data-dir', 'data', '--plugins-dir', 'plugins'], { cwd: root, env })
  t.onTestFinished(async () => {
    await scheduler.stop('SIGKILL')
  })
  await scheduler.waitFor(/scheduler started/, 60_000)
  const worker = startCli(['--role=worker', '--data-dir', 'data'], { cwd: root, env })
  t.onTestFinished(async () => {
    await worker.stop('SIGKILL')
  })
  await worker.waitFor(/handlers ready/, 60_000)

  const imported = await app('resources', 'import', join(ROOT, 'examples/resources.json'))
  assert.equal(imported.code, 0, imported.stderr)
  writeFileSync(join(root, 'bots.json'), JSON.stringify([SEED_BOT]))
  const applied = await app('bots', 'apply', 'bots.json')
  assert.equal(applied.code, 0, applied.stderr)
  assert.doesNotMatch(applied.stderr, /not registered/, 'the sample plugins register the filter and the action')

  const states = async () =>
    Object.fromEntries(
      (JSON.parse((await app('resources', 'list', '--json')).stdout).resources as Array<{ id: string; state: string }>).map((r) => [
        r.id,
        r.state,
      ]),
    )
  await waitUntil(
    'the stopped instances to be running',
    async () => {
      const s = await states()
      return s['i-0a1'] === 'running' && s['i-0b7'] === 'running' ? s : null
    },
    60_000,
  )
  assert.equal((await states())['db-01'], 'stopped', 'the bot only works on instances')
  const events = JSON.parse((await app('events', 'list', '--type', 'custom.start_resource', '--json')).stdout).events as Array<{
    resource: string
    status: string
    bot: string
  }>
  assert.ok(events.some((e) => e.resource === 'i-0a1' && e.status === 'done' && e.bot === 'start-stopped-prod'))
  assert.ok(
    events.every((e) => e.resource !== 'i-0a2'),
    'a running instance gets no event',
  )
  assert.match(worker.output(), /started resource/)
})
