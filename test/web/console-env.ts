// A real install for the operator-console browser tests: scheduler, worker and web, each its own
// `app` process on one data directory, with plugins that give an operator something to triage.
import assert from 'node:assert/strict'
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { openRuntimeDb } from '../../src/runtime/open-runtime.ts'
import type { Db } from '../../src/store/open-database.ts'
import { ROOT, manifest, startCli, tempDir, writePlugin, type RunningRole } from '../helpers/cli.ts'
import { writeBrokenPlugin } from './web-fixture.ts'

export const CHROMIUM = '/usr/bin/chromium'
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
export const DESKTOP = { width: 1366, height: 900 }
export const PHONE = { width: 390, height: 844 }
export const LONG_NAME = 'compliance-reporting-for-production-accounts-in-every-region'
const TOKEN = 'console-test-token-0123456789abcdef'

/** An event type whose handler fails for good (PermanentError), thrown at line 3 of lib/check.js. */
function writeFlakyPlugin(dir: string): void {
  writePlugin(
    dir,
    'flaky-events',
    manifest('flaky-events', { metadata: { nickname: 'Flaky', description: 'Checks the inventory; the check always fails' } }),
    {
      'index.js':
        "import { ScheduledEventManager } from 'app/plugin'\nimport { checkInventory } from './lib/check.js'\nlet undo\nexport function load() { undo = ScheduledEventManager.register('custom.flaky', async () => checkInventory()) }\nexport function unload() { undo?.() }\n",
      'lib/check.js':
        "import { PermanentError } from 'app/plugin'\nexport function checkInventory() {\n  throw new PermanentError('the inventory check failed: the remote inventory answered 503')\n}\n",
    },
  )
}

/** rule-pack 1.0.0; rulePackUpdate() writes 1.1.0 (a changed, an added and a removed file) or 1.2.0 (broken). */
export function writeRulePack(dir: string, version: '1.0.0' | '1.1.0' | '1.2.0'): void {
  const rules: Record<string, string> =
    version === '1.0.0'
      ? { 'rules/old.txt': 'legacy rule\n', 'rules/a.txt': 'deny t2.nano\ndeny t2.micro\nallow m5.large\n' }
      : { 'rules/new.txt': 'new rule\n', 'rules/a.txt': 'deny t2.nano\ndeny t3.micro\nallow m5.large\n' }
  const m = manifest('rule-pack', { version, ...(version === '1.2.0' && { modules: ['missing.js'] }) })
  writePlugin(dir, 'rule-pack', m, { 'index.js': `// rule-pack ${version}\nexport function load() {}\n`, ...rules })
  if (version !== '1.0.0') rmSync(join(dir, 'rule-pack', 'rules', 'old.txt'), { force: true })
}

export interface ConsoleEnv {
  url: string
  root: string
  plugins: string
  data: string
  runtime: Db
  scheduler: RunningRole
  worker: RunningRole
  web: RunningRole
  context: BrowserContext
  page: Page
  /** Browser errors (console, page, CSP) since the last clear. */
  problems: string[]
}

/** Starts the three roles, signs in as "Alice Operator", and returns the signed-in page. */
export async function startConsole(t: { onTestFinished(fn: () => unknown): void }): Promise<ConsoleEnv> {
  assert.ok(
    existsSync(CHROMIUM),
    `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the browser tests`,
  )
  const root = tempDir(t, 'app-console-')
  const plugins = join(root, 'plugins')
  const data = join(root, 'data')
  cpSync(join(ROOT, 'plugins'), plugins, { recursive: true })
  writeBrokenPlugin(plugins)
  writeFlakyPlugin(plugins)
  writeRulePack(plugins, '1.0.0')
  writePlugin(plugins, LONG_NAME, manifest(LONG_NAME), { 'index.js': 'export function load() {}\n' })
  const env = { APP_SETTLE_MS: '200', APP_ADMIN_TOKEN: TOKEN }
  const common = ['--data-dir', data, '--plugins-dir', plugins]
  const scheduler = startCli(['--role=scheduler', ...common], { cwd: root, env })
  t.onTestFinished(async () => {
    await scheduler.stop('SIGKILL')
  })
  await scheduler.waitFor(/"msg":"scheduler started"/, 90_000)
  const worker = startCli(['--role=worker', '--concurrency', '1', ...common], { cwd: root, env })
  const web = startCli(['--role=web', '--port', '0', ...common], { cwd: root, env })
  t.onTestFinished(async () => {
    await worker.stop('SIGKILL')
    await web.stop('SIGKILL')
  })
  const url = (JSON.parse((await web.waitFor(/^.*"msg":"web ready".*$/m, 90_000))[0]) as { url: string }).url
  await worker.waitFor(/"msg":"worker started"|"msg":"plugins loaded"/, 90_000)
  const runtime = openRuntimeDb(data)
  t.onTestFinished(() => runtime.close())

  const context = await chromium.launchPersistentContext(join(root, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: DESKTOP,
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
  await page.goto(`${url}login`)
  await page.getByLabel('Admin token').fill(TOKEN)
  await page.getByLabel(/Your name/).fill('Alice Operator')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL(/\/settings\/integrations\/plugins$/)
  return { url, root, plugins, data, runtime, scheduler, worker, web, context, page, problems }
}

/** axe-core, injected into the page: the WCAG 2.1 A and AA violations it finds, one line each. */
export async function axeViolations(page: Page): Promise<string[]> {
  const source = readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8')
  await page.evaluate(source)
  const result = await page.evaluate(() =>
    (
      window as unknown as {
        axe: {
          run(c: unknown, o: unknown): Promise<{ violations: Array<{ id: string; help: string; nodes: Array<{ target: string[] }> }> }>
        }
      }
    ).axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  )
  return result.violations.map(
    (v) =>
      `${v.id} (${v.help}): ${v.nodes
        .slice(0, 3)
        .map((n) => n.target.join(' '))
        .join(' | ')}`,
  )
}
