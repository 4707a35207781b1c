// The admin shell in Chromium: the Action menu on desktop and phone, pages that stack, the 404, long names,
// a plugin's banner outside our landmarks, ?safe=1, and an axe-core WCAG 2.1 AA scan of every admin page.
import assert from 'node:assert/strict'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, test } from 'vitest'
import { enqueueJobs } from '../../src/queue/insert-jobs.ts'
import { axeViolations, CHROMIUM, DESKTOP, LONG_NAME, PHONE, startConsole, type ConsoleEnv } from './console-env.ts'

const LANDING = '/settings/integrations/plugins'
const cleanups: Array<() => unknown> = []
let env: ConsoleEnv

beforeAll(async () => {
  env = await startConsole({ onTestFinished: (fn) => cleanups.push(fn) })
}, 180_000)
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn()
})

const open = (path: string) => env.page.goto(`${env.url}${path.slice(1)}`)
const openMenus = () => env.page.locator('details.menu[open]').count()

describe('the admin shell', () => {
  for (const [label, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    test(`the Action menu on a ${label}: inside the screen, not clipped, one at a time, closed by Escape, a click outside or tabbing away`, async () => {
      const { page } = env
      await page.setViewportSize(viewport)
      await open(LANDING)
      const rows = page.locator('#plugins tbody tr')
      const first = rows.first().locator('details.menu')
      const last = rows.last().locator('details.menu')

      // Opened by keyboard; arrow keys move through its entries.
      await first.locator('summary').focus()
      await page.keyboard.press('Enter')
      assert.equal(await first.getAttribute('open'), '')
      await page.keyboard.press('ArrowDown')
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Manage Plugin')
      const box = (await first.locator('ul').boundingBox())!
      assert.ok(
        box.x >= 0 && box.x + box.width <= viewport.width,
        `menu at x ${box.x}..${box.x + box.width} in a ${viewport.width} px screen`,
      )
      // Escape closes it and gives focus back to its button.
      await page.keyboard.press('Escape')
      assert.equal(await first.getAttribute('open'), null)
      assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'SUMMARY')

      // The last row's menu: every entry is on screen and is what a click there hits (not clipped by a scroll box).
      await last.locator('summary').scrollIntoViewIfNeeded()
      await last.locator('summary').click()
      const entries = last.locator('ul li')
      for (let i = 0; i < (await entries.count()); i++) {
        const item = entries.nth(i).locator('a, button')
        await item.scrollIntoViewIfNeeded()
        const b = (await item.boundingBox())!
        assert.ok(b.x >= 0 && b.x + b.width <= viewport.width, `entry ${i} at x ${b.x}`)
        const hit = await page.evaluate(
          ([x, y]) => document.elementFromPoint(x!, y!)?.textContent ?? null,
          [b.x + b.width / 2, b.y + b.height / 2],
        )
        assert.equal(hit, await item.textContent(), `entry ${i} is covered or clipped`)
      }
      // Opening another closes it: one at a time.
      await first.locator('summary').scrollIntoViewIfNeeded()
      await first.locator('summary').click()
      assert.equal(await openMenus(), 1)
      assert.equal(await first.getAttribute('open'), '')
      // A click outside closes it.
      await page.locator('h1').click()
      assert.equal(await openMenus(), 0)
      // Tabbing past its last entry closes it.
      await first.locator('summary').focus()
      await page.keyboard.press('Enter')
      const count = await first.locator('ul a, ul button').count()
      for (let i = 0; i <= count; i++) await page.keyboard.press('Tab')
      assert.equal(await openMenus(), 0)
      assert.deepEqual(env.problems, [])
    })
  }

  test('pages on a phone: tables stack instead of scrolling sideways, long plugin names wrap only between words', async () => {
    const { page } = env
    await page.setViewportSize(PHONE)
    for (const path of [
      LANDING,
      `${LANDING}/ops-banner`,
      `${LANDING}/${LONG_NAME}`,
      '/settings/events',
      '/settings/processes',
      '/settings/audit',
      `${LANDING}/rule-pack/compare`,
    ]) {
      await open(path)
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${path} scrolls sideways`)
    }
    await open(LANDING)
    const name = page.locator(`tr[data-plugin="${LONG_NAME}"] .name`)
    // Each piece between the break points (after "-") lies on one line, and the name did wrap.
    const pieces = await name.evaluate((el) =>
      [...el.childNodes]
        .filter((n) => n.nodeType === Node.TEXT_NODE)
        .map((n) => {
          const r = document.createRange()
          r.selectNodeContents(n)
          return { text: n.textContent, lines: new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size }
        }),
    )
    assert.equal(pieces.map((p) => p.text).join(''), LONG_NAME)
    for (const p of pieces) assert.equal(p.lines, 1, `"${p.text}" broke inside a word`)
    assert.ok((await name.evaluate((el) => el.getClientRects().length)) > 1, 'the long name fits one line: widen the test name')
    await page.setViewportSize(DESKTOP)
  })

  test("the 404 of an unknown URL is an admin page; a plugin banner stays outside the app's landmarks; ?safe=1 leaves plugin files out", async () => {
    const { page } = env
    const res = await open('/settings/no-such-page')
    assert.equal(res!.status(), 404)
    assert.equal(await page.locator('h1').innerText(), 'Not found')
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 1)
    assert.match(await page.locator('main').innerText(), /Nothing is at \/settings\/no-such-page/)
    env.problems.length = 0 // the 404 document itself is reported by the console

    await open(LANDING)
    await page.locator('#ops-banner', { hasText: 'On call' }).waitFor()
    assert.deepEqual(
      await page
        .locator('#ops-banner')
        .evaluate((el) => [el.parentElement?.tagName, el.closest('header, nav, main, footer, aside, [role]')]),
      ['BODY', null],
    )
    assert.equal(await page.locator('main #ops-banner, header #ops-banner').count(), 0)

    await open(`${LANDING}?safe=1`)
    assert.match(await page.locator('#safe-mode').innerText(), /Safe mode/)
    assert.equal(await page.locator('script[data-plugin], link[data-plugin]').count(), 0)
    await page.waitForLoadState('networkidle')
    assert.equal(await page.locator('#ops-banner').count(), 0)
    assert.deepEqual(env.problems, [])
  })

  test('axe-core finds no WCAG 2.1 A or AA violation on any admin page, desktop or phone', async () => {
    const { page } = env
    await enqueueJobs(env.runtime, [
      { eventType: 'custom.flaky', runAt: Date.now(), description: 'Check the inventory.', owner: 'flaky-events' },
    ])
    const pages = [
      LANDING,
      `${LANDING}?severity=error&state=all&sort=count`,
      `${LANDING}/ops-banner`,
      `${LANDING}/broken-plugin`,
      `${LANDING}/flaky-events`,
      `${LANDING}/rule-pack/compare?from=1.0.0&to=1.0.0`,
      '/settings/events',
      '/settings/processes',
      '/settings/audit',
      '/settings/no-such-page',
    ]
    const found: string[] = []
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport)
      for (const path of pages) {
        await open(path)
        for (const v of await axeViolations(page)) found.push(`${viewport.width}px ${path}: ${v}`)
      }
      // An open Action menu, too.
      await open(LANDING)
      await page.locator('details.menu summary').first().click()
      for (const v of await axeViolations(page)) found.push(`${viewport.width}px open menu: ${v}`)
    }
    // The sign-in form, signed out.
    const guest = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox'] })
    try {
      const login = await guest.newPage({ viewport: DESKTOP })
      await login.goto(`${env.url}login`)
      for (const v of await axeViolations(login)) found.push(`login: ${v}`)
    } finally {
      await guest.close()
    }
    assert.deepEqual(found, [])
  })
})
