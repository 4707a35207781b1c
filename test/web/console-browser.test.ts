// long file: operator journeys in one Chromium session over one set of role processes.
// The admin page as an operator's console, driven in Chromium against real scheduler, worker and web
// processes: triage, acknowledge, events, disable and enable through the scheduler, compare versions.
import assert from 'node:assert/strict'
import { afterAll, beforeAll, describe, test } from 'vitest'
import { enqueueJobs } from '../../src/queue/insert-jobs.ts'
import { manifest, writePlugin } from '../helpers/cli.ts'
import { waitUntil } from '../helpers/wait-until.ts'
import { DESKTOP, PHONE, startConsole, writeRulePack, type ConsoleEnv } from './console-env.ts'

const LANDING = '/settings/integrations/plugins'
const cleanups: Array<() => unknown> = []
let env: ConsoleEnv

beforeAll(async () => {
  env = await startConsole({ onTestFinished: (fn) => cleanups.push(fn) })
}, 180_000)
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn()
})

const api = async <T>(path: string): Promise<T> => {
  const res = await env.page.request.get(`${env.url}${path.slice(1)}`)
  assert.equal(res.status(), 200, path)
  return (await res.json()) as T
}
const open = (path: string) => env.page.goto(`${env.url}${path.slice(1)}`)
const warningRows = () => env.page.locator('#warnings tbody tr')

describe('the operator console', () => {
  test("triage: the filter form narrows the warnings to one plugin's errors, and the counters lead to their views", async () => {
    const { page } = env
    await page.setViewportSize(DESKTOP)
    await open(LANDING)
    const form = page.getByRole('search', { name: 'Filter warnings' })
    await form.getByLabel('Plugin').selectOption('broken-plugin')
    await form.getByLabel('Severity').selectOption('error')
    await form.getByRole('button', { name: 'Filter' }).click()
    await page.waitForURL(/severity=error&plugin=broken-plugin/)
    assert.equal(await warningRows().count(), 1)
    assert.match(await warningRows().first().innerText(), /^error\s+broken-plugin version 1\.0\.0 \(not loaded\)\s+MODULE_NOT_FOUND\s/)
    assert.match(await page.locator('#warnings-title').innerText(), /\(1 of \d+, filtered\)/)
    // The form shows the view it made.
    assert.equal(await form.getByLabel('Plugin').inputValue(), 'broken-plugin')
    assert.equal(await form.getByLabel('Severity').inputValue(), 'error')

    // Text search: the long-named plugin has no warnings, the word "modules" finds the broken one's.
    await form.getByLabel('Plugin').selectOption('')
    await form.getByLabel('Severity').selectOption('')
    await form.getByLabel('Search').fill('MODULES[0]')
    await form.getByRole('button', { name: 'Filter' }).click()
    await page.waitForURL(/q=MODULES%5B0%5D/)
    assert.deepEqual(await warningRows().locator('td:nth-child(3)').allInnerTexts(), ['MODULE_NOT_FOUND'])

    // The "open errors" counter is a link to that view.
    await open(LANDING)
    const errors = Number(await page.locator('#open-error').innerText())
    assert.ok(errors >= 1)
    await page.locator('a.card', { has: page.locator('#open-error') }).click()
    await page.waitForURL(/\?severity=error#warnings$/)
    assert.equal(await warningRows().count(), errors)
    for (const badge of await warningRows().locator('td:first-child').allInnerTexts()) assert.equal(badge, 'error')

    // On a phone the same view stacks its rows instead of scrolling sideways.
    await page.setViewportSize(PHONE)
    await page.reload()
    assert.equal(await page.locator('#warnings thead').evaluate((el) => getComputedStyle(el).display), 'none')
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth))
    assert.match(await warningRows().first().innerText(), /MODULE_NOT_FOUND/)
    await page.setViewportSize(DESKTOP)
  })

  test('acknowledge a warning with a note: it leaves the open view, and comes back when the failure recurs after a retry from the events page', async () => {
    const { page } = env
    await enqueueJobs(env.runtime, [
      { eventType: 'custom.flaky', runAt: Date.now(), description: 'Check the inventory.', owner: 'flaky-events' },
    ])
    type Warnings = { total: number; warnings: Array<{ code: string; count: number; lastSeen: string }> }
    await waitUntil(
      'the RUNTIME_ERROR of flaky-events',
      async () => (await api<Warnings>('/api/v1/warnings?plugin=flaky-events')).total === 1,
      60_000,
      250,
    )

    await open(`${LANDING}?plugin=flaky-events`)
    const row = warningRows().filter({ hasText: 'RUNTIME_ERROR' })
    assert.match(
      await row.innerText(),
      /warning\s+flaky-events version 1\.0\.0 \(running\)\s+RUNTIME_ERROR\s+.*the inventory check failed: the remote inventory answered 503/,
    )
    await row.locator('details.ack > summary').click()
    await row.getByLabel('Note (why it can wait)').fill('Inventory API is down for maintenance until Friday')
    await row.getByRole('button', { name: 'Acknowledge' }).click()
    await page.waitForURL(/\?plugin=flaky-events#warnings$/)
    assert.equal(await warningRows().count(), 0)
    assert.match(await page.locator('#warnings').innerText(), /No warning matches this view\./)
    assert.equal(await page.locator('#count-acknowledged').innerText(), '1')

    await open(`${LANDING}?plugin=flaky-events&state=acknowledged`)
    assert.match(
      await warningRows().first().innerText(),
      /Acknowledged by Alice Operator, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: Inventory API is down for maintenance until Friday/,
    )

    // Manage Plugin: the error with absolute times and the plugin's own line of code.
    await open(`${LANDING}/flaky-events`)
    const item = page.locator('#warnings .warning-item').first()
    assert.match(await item.innerText(), /first seen \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, last seen \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/)
    assert.equal(await item.locator('figure.source figcaption code').innerText(), 'flaky-events/lib/check.js:3')
    assert.match(await item.locator('figure.source .line.hit').innerText(), /^3\s*throw new PermanentError\('the inventory check failed/)

    // The events page: the failed event, filtered by status and plugin, retried.
    await open('/settings/events')
    assert.equal(await page.locator('#events-failed').innerText(), '1')
    const filters = page.getByRole('form', { name: 'Filter events' })
    await filters.getByLabel('Status').selectOption('failed')
    await filters.getByLabel('Plugin').selectOption('flaky-events')
    await filters.getByRole('button', { name: 'Filter' }).click()
    await page.waitForURL(/status=failed/)
    const event = page.locator('#events tbody tr')
    assert.equal(await event.count(), 1)
    assert.match(await event.innerText(), /failed\s+custom\.flaky[\s\S]*the inventory check failed/)
    await event.getByRole('button', { name: 'Retry' }).click()
    await page.waitForURL(/\/settings\/events\?status=failed/)
    // The worker runs it again, it fails again, and the acknowledged warning is open again.
    const seen = await waitUntil(
      'the failure to recur',
      async () => {
        const w = (await api<Warnings>('/api/v1/warnings?plugin=flaky-events')).warnings[0]
        return w && w.count === 2 ? w : null
      },
      60_000,
      250,
    )
    await open(`${LANDING}?plugin=flaky-events`)
    assert.equal(await warningRows().count(), 1)
    assert.match(await warningRows().first().innerText(), /RUNTIME_ERROR[\s\S]*Acknowledge/)
    assert.ok(
      seen.lastSeen >
        (await api<{ entries: Array<{ action: string; at: string }> }>('/api/v1/audit')).entries.find((e) => e.action === 'ack')!.at,
    )
    // The retry is in the audit list, by name.
    await open('/settings/audit')
    assert.match(
      await page.locator('tbody tr', { hasText: 'event.retry' }).innerText(),
      /Alice Operator\s+event\.retry event \d+ \(custom\.flaky\)[\s\S]*done/,
    )
  })

  test('the events page shows orphaned events with why, and cancels one', async () => {
    const { page } = env
    await enqueueJobs(env.runtime, [
      { eventType: 'custom.nobody_registers_this', runAt: Date.now(), description: 'Waits for its plugin.', owner: 'cli' },
    ])
    await waitUntil(
      'the event to be orphaned',
      async () => (await api<{ counts: { orphaned: number } }>('/api/v1/events')).counts.orphaned === 1,
      30_000,
      250,
    )
    await open('/settings/events?status=orphaned')
    const row = page.locator('#events tbody tr')
    assert.match(await row.innerText(), /orphaned\s+custom\.nobody_registers_this[\s\S]*No loaded plugin registers this type/)
    await row.getByRole('button', { name: 'Cancel' }).click()
    await page.waitForURL(/status=orphaned/)
    assert.equal(await row.count(), 0)
    assert.equal(await page.locator('#events-cancelled').innerText(), '1')
  })

  test('disable from the Action menu: the scheduler applies it within 2 s, the plugin stays out across rescans, and Enable brings it back', async () => {
    const { page } = env
    await open(LANDING)
    const menu = page.locator('tr[data-plugin="ops-banner"] details.menu')
    await menu.locator('summary').click()
    await menu.getByRole('button', { name: 'Disable' }).click()
    await page.waitForURL(/\/settings\/integrations\/plugins\/ops-banner#actions$/)
    const request = page.locator('#actions [data-request]').first()
    assert.match(await request.innerText(), /^(pending|done)\s+disable by Alice Operator/)
    await waitUntil(
      'the disable to be applied',
      async () => {
        await open(`${LANDING}/ops-banner`)
        return (await request.getAttribute('data-status', { timeout: 2000 }).catch(() => null)) === 'done'
      },
      10_000,
      200,
    )
    assert.match(
      await request.innerText(),
      /done\s+disable by Alice Operator, .* UTC: disabled ops-banner 1\.0\.0: generation \d+ leaves it out until it is enabled/,
    )
    const applied = (
      await api<{ requests: Array<{ action: string; requestedAt: string; finishedAt: string }> }>('/api/v1/plugins/ops-banner')
    ).requests.find((r) => r.action === 'disable')!
    assert.ok(
      Date.parse(applied.finishedAt) - Date.parse(applied.requestedAt) <= 2000,
      `applied after ${Date.parse(applied.finishedAt) - Date.parse(applied.requestedAt)} ms`,
    )
    assert.match(await page.locator('h1').innerText(), /ops-banner 1\.0\.0 disabled/)

    // The landing page lists it as disabled; the banner names what a restart changes, per process.
    await open(LANDING)
    assert.match(await page.locator('tr[data-plugin="ops-banner"]').innerText(), /disabled/)
    const banner = page.locator('#restart-needed')
    for (const role of ['worker', 'web'])
      assert.match(await banner.locator('li', { hasText: `${role}@` }).innerText(), /ops-banner 1\.0\.0 → removed/)
    await open('/settings/processes')
    assert.match(await page.locator('tr', { hasText: 'worker' }).first().innerText(), /restart needed\s+ops-banner 1\.0\.0 → removed/)

    // A rescan (a new plugin arrives) publishes a generation without it.
    const before = (await api<{ generation: number }>('/api/v1/plugins')).generation
    writePlugin(env.plugins, 'late-plugin', manifest('late-plugin'), { 'index.js': 'export function load() {}\n' })
    const after = await waitUntil(
      'the rescan',
      async () => {
        const list = await api<{ generation: number; plugins: Array<{ name: string }> }>('/api/v1/plugins')
        return list.generation > before && list.plugins.some((p) => p.name === 'late-plugin') ? list : null
      },
      30_000,
      250,
    )
    assert.ok(!after.plugins.some((p) => p.name === 'ops-banner'))

    // Enable from Manage Plugin.
    await open(`${LANDING}/ops-banner`)
    await page.locator('#actions').getByRole('button', { name: 'Enable' }).click()
    await waitUntil(
      'the enable to be applied',
      async () => {
        await open(`${LANDING}/ops-banner`)
        return (
          (await page
            .locator('#actions [data-request]')
            .first()
            .getAttribute('data-status', { timeout: 2000 })
            .catch(() => null)) === 'done'
        )
      },
      10_000,
      200,
    )
    assert.match(
      await page.locator('#actions [data-request]').first().innerText(),
      /done\s+enable by Alice Operator.*enabled ops-banner: generation \d+ holds 1\.0\.0/,
    )
    assert.match(await page.locator('h1').innerText(), /ops-banner 1\.0\.0 loaded/)
    // The processes still run 1.0.0 of it: the banner no longer names it.
    await open(LANDING)
    assert.doesNotMatch(await page.locator('body').innerText(), /ops-banner 1\.0\.0 → removed/)
    await open('/settings/audit')
    const rows = await page.locator('tbody tr').allInnerTexts()
    assert.ok(
      rows.some((r) => /Alice Operator\s+enable[\s\S]*ops-banner[\s\S]*done/.test(r)),
      rows.join('\n'),
    )
    assert.ok(
      rows.some((r) => /Alice Operator\s+disable[\s\S]*ops-banner[\s\S]*done/.test(r)),
      rows.join('\n'),
    )
  })

  test('compare two versions (a rejected one too), and a rejected update reads "update rejected, 1.1.0 running"', async () => {
    const { page } = env
    type Plugin = { version: string; rejected: { version: string } | null }
    writeRulePack(env.plugins, '1.1.0')
    await waitUntil('rule-pack 1.1.0', async () => (await api<Plugin>('/api/v1/plugins/rule-pack')).version === '1.1.0', 30_000, 250)
    writeRulePack(env.plugins, '1.2.0')
    await waitUntil(
      'the rejected 1.2.0',
      async () => (await api<Plugin>('/api/v1/plugins/rule-pack')).rejected?.version === '1.2.0',
      30_000,
      250,
    )

    await open(LANDING)
    assert.equal(await page.locator('tr[data-plugin="rule-pack"] td:nth-child(3)').innerText(), 'update rejected, 1.1.0 running')
    await open(`${LANDING}/rule-pack`)
    const body = await page.locator('main').innerText()
    assert.match(await page.locator('h1').innerText(), /^rule-pack 1\.1\.0 update rejected, 1\.1\.0 running$/)
    assert.doesNotMatch(body, /not loaded/, body.match(/.*not loaded.*/)?.[0])
    assert.match(
      await page.locator('#warnings .warning-item', { hasText: 'UPDATE_REJECTED' }).innerText(),
      /version 1\.2\.0 \(rejected update; 1\.1\.0 runs\)/,
    )

    // From the history: what changed from 1.0.0 to the running 1.1.0.
    await page
      .locator('#history tbody tr', { has: page.locator('td:first-child', { hasText: /^1\.0\.0$/ }) })
      .getByRole('link', { name: 'Compare with 1.1.0' })
      .click()
    await page.waitForURL(/compare\?from=1\.0\.0&to=1\.1\.0$/)
    assert.equal(await page.locator('#change-summary').innerText(), '5 files differ: 1 added, 1 removed, 3 changed.')
    const files = Object.fromEntries(
      await page
        .locator('article.file-change')
        .evaluateAll((els) => els.map((e) => [e.getAttribute('data-path'), e.getAttribute('data-status')])),
    )
    assert.deepEqual(files, {
      'index.js': 'changed',
      'plugin.json': 'changed',
      'rules/a.txt': 'changed',
      'rules/new.txt': 'added',
      'rules/old.txt': 'removed',
    })
    const diff = await page.locator('article.file-change[data-path="rules/a.txt"] pre.diff').innerText()
    assert.match(diff, /^@@ -1 \+1 @@\n deny t2\.nano\n-deny t2\.micro\n\+deny t3\.micro\n allow m5\.large/)

    // The picker: the rejected 1.2.0 is there, and comparable.
    const picker = page.getByRole('form', { name: 'Choose versions' })
    await picker.getByLabel('From').selectOption('1.1.0')
    await picker.getByLabel('To').selectOption('1.2.0')
    await picker.getByRole('button', { name: 'Compare' }).click()
    await page.waitForURL(/from=1\.1\.0&to=1\.2\.0/)
    assert.match(await page.locator('#changes-title').innerText(), /1\.1\.0 loaded → 1\.2\.0 failed/)
    assert.match(
      await page.locator('article.file-change[data-path="plugin.json"] pre.diff').innerText(),
      /-\s+"version": "1\.1\.0",\n\+\s+"version": "1\.2\.0",[\s\S]*-\s+"index\.js"\n\+\s+"missing\.js"/,
    )
    assert.deepEqual(env.problems, [])
  })
})
