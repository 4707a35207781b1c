import { html } from 'hono/html'
import { changeText } from '../../report/restart-guidance.ts'
import { APP_CSS_VERSION } from '../app-css.ts'
import { APP_JS_VERSION } from '../app-js.ts'
import type { AdminSnapshot } from '../admin-snapshot.ts'
import { stripBidi } from '../strip-bidi.ts'
import type { Html } from './page-parts.ts'

export type NavEntry = 'plugins' | 'processes' | 'events' | 'audit'

export interface LayoutOptions {
  title: string
  /** Which top navigation entry is current. */
  active?: NavEntry
  /** Breadcrumb trail; the last entry is the current page. */
  crumbs?: Array<[label: string, href?: string]>
  /** CSRF token for the log-out form; null when signed in with a bearer token (no form). */
  csrf: string | null
  snapshot: AdminSnapshot | null
  body: Html
  /** ?safe=1: the page without any plugin frontend file (a plugin script that breaks the admin cannot stop you turning it off). */
  safe?: boolean
}

const NAV: Array<[NavEntry, string, string]> = [
  ['plugins', '/settings/integrations/plugins', 'Plugins'],
  ['events', '/settings/events', 'Events'],
  ['processes', '/settings/processes', 'Processes'],
  ['audit', '/settings/audit', 'Audit'],
]

/**
 * Pages are hono/html tagged templates, not Hono JSX: Node runs our TypeScript by stripping types, which
 * cannot compile .tsx. The templates escape every interpolated value the same way JSX would.
 *
 * The admin shell: one stylesheet, one script of ours, the navigation, the
 * restart banner, and every loaded plugin's frontend files (plugins may add
 * nav entries or banners; what they prepend to <body> stays outside the
 * header, main and footer landmarks). No inline script or style anywhere: CSP
 * is default-src 'self'.
 */
export async function renderPage(o: LayoutOptions): Promise<string> {
  const s = o.snapshot
  const frontend = o.safe ? [] : (s?.frontend ?? [])
  const page = await html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · app admin</title>
<link rel="stylesheet" href="/static/app.css?v=${APP_CSS_VERSION}">
${frontend.filter((f) => f.kind === 'style').map((f) => html`<link rel="stylesheet" href="${f.url}" data-plugin="${f.plugin}">\n`)}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="topbar">
<a class="brand" href="/settings/integrations/plugins">app admin</a>
<nav aria-label="Main">
${NAV.map(([name, href, label]) => (o.active === name ? html`<a href="${href}" aria-current="page">${label}</a>\n` : html`<a href="${href}">${label}</a>\n`))}
</nav>
${o.csrf ? html`<form method="post" action="/logout"><input type="hidden" name="csrf" value="${o.csrf}"><button type="submit">Log out</button></form>` : ''}
</header>
<main id="main">
${
  o.crumbs
    ? html`<nav class="breadcrumb" aria-label="Breadcrumb"><ol>${o.crumbs.map(([label, href], i) =>
        i === o.crumbs!.length - 1
          ? html`<li aria-current="page">${label}</li>`
          : html`<li>${href ? html`<a href="${href}">${label}</a>` : label}</li>`,
      )}</ol></nav>`
    : ''
}
${o.safe ? html`<div class="banner info" role="status" id="safe-mode"><strong>Safe mode:</strong> this page was rendered without plugin frontend files (?safe=1). Links lead back to normal pages.</div>` : ''}
${s?.restart.length ? restartBanner(s) : ''}
${o.body}
</main>
<script src="/static/app.js?v=${APP_JS_VERSION}" defer></script>
${frontend.filter((f) => f.kind === 'script').map((f) => html`<script src="${f.url}" data-plugin="${f.plugin}" defer></script>\n`)}
</body>
</html>
`
  return stripBidi(String(page))
}

/** Names each process whose restart would change what it runs, and the plugins that would change. */
function restartBanner(s: AdminSnapshot): Html {
  const n = s.restart.length
  return html`<div class="banner restart" role="status" id="restart-needed"><strong>Restart needed:</strong>
${n} process${n === 1 ? '' : 'es'} run${n === 1 ? 's' : ''} plugins that differ from the store's generation ${s.report.generation ?? 'none'}:
<ul class="plain">${s.restart.map((r) => html`<li><span class="mono">${r.process.role}@${r.process.host}:${r.process.pid}</span> (generation ${r.process.generation ?? 'none'}): ${r.unknown ? 'the generation it loaded is no longer kept' : r.changes.map(changeText).join(', ')}</li>`)}</ul>
Plugins load at start-up; restart ${n === 1 ? 'it' : 'them'} (or run with --reload) to load the current plugins. <a href="/settings/processes">Processes</a></div>`
}
