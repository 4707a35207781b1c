import { html } from 'hono/html'
import { landingPluginPath, type Html } from './page-parts.ts'

/**
 * A plugin row's Action menu. Without JavaScript it is a <details>: Enter or
 * Space opens it, its entries are links and buttons in tab order, and it opens
 * in the flow of the page on a phone. /static/app.js adds what a menu button
 * does: one open at a time, Escape, a click outside or tabbing away closes it,
 * arrow keys move between its entries, and it stays inside the screen.
 * Its links are relative to the landing page, the one page it is on.
 */
export function actionMenu(name: string, o: { disabled: boolean; csrf: string | null }): Html {
  const path = landingPluginPath(name)
  const post = (action: string, label: string) =>
    o.csrf
      ? html`<li><form method="post" action="${path}/${action}"><input type="hidden" name="csrf" value="${o.csrf}"><button type="submit">${label}</button></form></li>`
      : ''
  return html`<details class="menu"><summary>Action</summary><ul aria-label="Actions for ${name}">
<li><a href="${path}">Manage Plugin</a></li>
${
  o.disabled
    ? post('enable', 'Enable')
    : html`<li><a href="${path}#warnings">Warnings</a></li>
${post('disable', 'Disable')}
<li><a href="${path}#history">Roll back to a version…</a></li>
<li><a href="${path}/compare">Compare versions</a></li>`
}
<li><a href="/api/v1/plugins/${encodeURIComponent(name)}">As JSON</a></li>
</ul></details>`
}
