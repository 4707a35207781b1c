import { chromium } from 'playwright-core'
import { readFileSync } from 'node:fs'
const url = 'http://127.0.0.1:18080/'
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] })
const page = await browser.newPage({ viewport: { width: 1366, height: 900 } })
await page.goto(url + 'login')
await page.getByLabel('Admin token').fill('manual-token-0123456789abcdef-xyz')
await page.getByLabel(/Your name/).fill('Alice Operator')
await page.getByRole('button', { name: 'Sign in' }).click()
await page.waitForURL(/plugins/)
const axe = readFileSync('/work/main/node_modules/axe-core/axe.min.js', 'utf8')
for (const [name, path] of Object.entries(JSON.parse(process.argv[2] ?? '{}') as Record<string, string>)) {
  for (const [vw, vh, tag] of [[1366, 900, 'd'], [390, 844, 'p']] as const) {
    await page.setViewportSize({ width: vw, height: vh })
    await page.goto(url + path)
    await page.screenshot({ path: `/tmp/ws/shots/${name}-${tag}.png`, fullPage: true })
    if (tag === 'd') {
      await page.evaluate(axe)
      const r = await page.evaluate(() => (window as any).axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }))
      console.log(name, r.violations.map((v: any) => `${v.id}: ${v.nodes.length} ${v.nodes.slice(0, 2).map((n: any) => n.target.join(' ')).join(' | ')}`))
    } else console.log(name, 'scrollWidth', await page.evaluate(() => [document.documentElement.scrollWidth, innerWidth]))
  }
}
await browser.close()
