import { html } from 'hono/html'
import { APP_CSS_VERSION } from '../app-css.ts'
import type { AdminSnapshot } from '../admin-snapshot.ts'
import { stripBidi } from '../strip-bidi.ts'
import type { Html } from './page-parts.ts'

export interface LayoutOptions {
  title: string
  /** Which top navigation entry is current. */
  active?: 'plugins' | 'processes'
  /** Breadcrumb trail; the last entry is the current page. */
  crumbs?: Array<[label: string, href?: string]>
  /** CSRF token for the log-out form; null when signed in with a bearer token (no form). */
  csrf: string | null
  snapshot: AdminSnapshot | null
  body: Html
}

/**
 * Pages are hono/html tagged templates, not Hono JSX: Node runs our TypeScript by stripping types, which
 * cannot compile .tsx. The templates escape every interpolated value the same way JSX would.
 *
 * The admin shell: one stylesheet, the navigation, the restart banner, and
 * every loaded plugin's frontend files (plugins may add nav entries or panels).
 * No inline script or style anywhere: CSP is default-src 'self'.
 */
export async function renderPage(o: LayoutOptions): Promise<string> {
  const s = o.snapshot
  const link = (name: LayoutOptions['active'], href: string, label: string) =>
    o.active === name ? html`<a href="${href}" aria-current="page">${label}</a>` : html`<a href="${href}">${label}</a>`
  const page = await html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · app admin</title>
<link rel="stylesheet" href="/static/app.css?v=${APP_CSS_VERSION}">
${s?.frontend.filter((f) => f.kind === 'style').map((f) => html`<link rel="stylesheet" href="${f.url}" data-plugin="${f.plugin}">\n`)}
</head>
<body>
<header class="topbar">
<a class="brand" href="/settings/integrations/plugins">app admin</a>
<nav aria-label="Main">
${link('plugins', '/settings/integrations/plugins', 'Plugins')}
${link('processes', '/settings/processes', 'Processes')}
</nav>
${o.csrf ? html`<form method="post" action="/logout"><input type="hidden" name="csrf" value="${o.csrf}"><button type="submit">Log out</button></form>` : ''}
</header>
<main>
${o.crumbs ? html`<nav class="breadcrumb" aria-label="Breadcrumb"><ol>${o.crumbs.map(([label, href], i) =>
    i === o.crumbs!.length - 1 ? html`<li aria-current="page">${label}</li>` : html`<li>${href ? html`<a href="${href}">${label}</a>` : label}</li>`)}</ol></nav>` : ''}
${s?.restartNeeded.length ? restartBanner(s) : ''}
${o.body}
</main>
${s?.frontend.filter((f) => f.kind === 'script').map((f) => html`<script src="${f.url}" data-plugin="${f.plugin}" defer></script>\n`)}
</body>
</html>
`
  return stripBidi(String(page))
}

function restartBanner(s: AdminSnapshot): Html {
  const n = s.restartNeeded.length
  return html`<div class="banner restart" role="status" id="restart-needed"><strong>Restart needed:</strong>
${n} process${n === 1 ? '' : 'es'} run${n === 1 ? 's' : ''} an older plugin generation than the store (generation ${s.report.generation ?? 'none'}):
${s.restartNeeded.map((p, i) => html`${i ? ', ' : ''}<span class="mono">${p.role}@${p.host}:${p.pid}</span> (generation ${p.generation ?? 'none'})`)}.
Plugins load at start-up; restart ${n === 1 ? 'it' : 'them'} to load the current plugins. <a href="/settings/processes">Processes</a></div>`
}
