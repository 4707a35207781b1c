import assert from 'node:assert/strict'
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { chromium } from 'playwright-core'
import { ROOT, startCli, tempDir } from '../helpers/cli.ts'
import { writeBrokenPlugin } from './web-fixture.ts'

const CHROMIUM = '/usr/bin/chromium'
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
export const SCREENSHOT_DIR = join(ROOT, 'test/.tmp')

test("an operator signs in, finds the broken plugin's warning, opens Manage Plugin from its Action menu, and sees the frontend plugin", async (t) => {
  // Fails, not skips: the browser test is part of the suite (`npm test` installs chromium when it may).
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the browser test`)
  const root = tempDir(t, 'app-browser-')
  const plugins = join(root, 'plugins')
  cpSync(join(ROOT, 'plugins'), plugins, { recursive: true })
  writeBrokenPlugin(plugins)
  const app = startCli(['--role=all', '--port', '0', '--data-dir', join(root, 'data'), '--plugins-dir', plugins], {
    cwd: root,
    env: { APP_SETTLE_MS: '0', APP_ADMIN_TOKEN: '' },
  })
  t.onTestFinished(async () => {
    await app.stop('SIGKILL')
  })
  const url = (JSON.parse((await app.waitFor(/^.*"msg":"web listening.*$/m, 60_000))[0]) as { url: string }).url
  await app.waitFor(/"msg":"web ready"/, 60_000)
  const token = readFileSync(join(root, 'data', 'admin-token'), 'utf8').trim()

  const context = await chromium.launchPersistentContext(join(root, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  })
  t.onTestFinished(async () => {
    await context.close()
  })
  const page = context.pages()[0] ?? (await context.newPage())
  const problems: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text())
  })
  page.on('pageerror', (e) => problems.push(e.message))

  // Not signed in: the landing page sends us to the sign-in form, which brings us back.
  await page.goto(`${url}settings/integrations/plugins`)
  assert.match(page.url(), /\/login\?next=/)
  await page.getByLabel('Admin token').fill('not-the-token-at-all')
  await page.getByRole('button', { name: 'Sign in' }).click()
  assert.equal(await page.getByRole('alert').textContent(), 'That is not the admin token.')
  await page.getByLabel('Admin token').fill(token)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL(/\/settings\/integrations\/plugins$/)
  problems.length = 0 // the refused sign-in above is a 401 document, which the console reports
  const cookie = (await context.cookies()).find((c) => c.name === 'app_session')!
  assert.equal(cookie.httpOnly, true)
  assert.equal(cookie.sameSite, 'Strict')

  // The landing page: breadcrumb, counts and the broken plugin's warning.
  assert.deepEqual(await page.locator('.breadcrumb li').allInnerTexts(), ['Settings', 'Integrations', 'Plugins'])
  assert.equal(await page.locator('#count-failed').textContent(), '1')
  const warning = page.locator('#warnings tbody tr', { hasText: 'broken-plugin' })
  assert.equal(await warning.count(), 1)
  assert.match(
    await warning.innerText(),
    /error\s+broken-plugin version 1\.0\.0 \(not loaded\)\s+MODULE_NOT_FOUND\s+.*modules\[0\] is "missing<script>alert\(1\)<\/script>\.js" but the plugin has no such file/,
  )

  // The frontend plugin's visible change: its banner and its nav entry (its JS runs under CSP default-src 'self'),
  // filled from its own route, /plugin/ops-banner/status, which the web role mounted from registerApiBlueprint.
  await page.locator('#ops-banner', { hasText: 'On call: platform-team' }).waitFor()
  assert.equal(await page.locator('nav[aria-label="Main"] #ops-banner-nav').textContent(), 'On call')
  assert.equal(await page.locator('#ops-banner').evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(29, 78, 216)')

  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'web-landing.png'), fullPage: true })

  // The Action menu of the broken plugin: a <details>, opened by keyboard; Manage Plugin is its first entry.
  const row = page.locator('tr[data-plugin="broken-plugin"]')
  const menu = row.locator('details.menu')
  assert.equal(await menu.getAttribute('open'), null)
  await menu.locator('summary').focus()
  await page.keyboard.press('Enter')
  assert.equal(await menu.getAttribute('open'), '')
  const entries = menu.getByRole('link')
  assert.equal(await entries.first().textContent(), 'Manage Plugin')
  await entries.first().click()
  await page.waitForURL(/\/settings\/integrations\/plugins\/broken-plugin$/)

  // Manage Plugin: its Warnings section with the detail.
  assert.match(await page.locator('h1').innerText(), /^broken-plugin 1\.0\.0 failed$/)
  const section = page.locator('section#warnings')
  assert.match(await section.locator('h2').innerText(), /Warnings \(1\)/)
  assert.match(
    await section.locator('.warning-item').innerText(),
    /MODULE_NOT_FOUND[\s\S]*modules\[0\] is "missing<script>alert\(1\)<\/script>\.js"/,
  )
  // With no line of its own code to show, the detail is open from the start.
  assert.equal(await section.locator('details', { has: page.locator('summary', { hasText: 'Detail' }) }).getAttribute('open'), '')
  assert.equal(await section.locator('pre').innerText(), 'missing<script>alert(1)</script>.js')
  // Hostile metadata renders as text: no script ran, no element was injected.
  assert.equal(await page.locator('b', { hasText: 'Mallory' }).count(), 0)
  assert.match(await page.locator('dl.meta').innerText(), /<b>Mallory<\/b>/)
  await page.locator('#ops-banner').waitFor()
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'web-manage-plugin.png'), fullPage: true })

  // A phone-sized screen still shows the page without sideways scrolling of the whole page.
  await page.setViewportSize({ width: 390, height: 844 })
  await page.goto(`${url}settings/integrations/plugins`)
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1))
  await page.screenshot({ path: join(SCREENSHOT_DIR, 'web-landing-phone.png'), fullPage: true })

  // CSP violations, script errors and failed requests would show up here.
  assert.deepEqual(problems, [])
  assert.ok(statSync(join(SCREENSHOT_DIR, 'web-landing.png')).size > 10_000)
  await context.close()
  assert.equal(await app.stop(), 0)
})
