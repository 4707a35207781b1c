import { html } from 'hono/html'
import type { PluginSummary } from '../../report/plugin-report.ts'
import type { StoredWarning } from '../../report/stored-warning.ts'
import type { ProcessInfo } from '../../runtime/process-registry.ts'
import type { BundleFile, PluginVersion } from '../../store/store-types.ts'
import { badge, ranges, safeLink, statusBadge, table, when, whereText, type Html } from './page-parts.ts'

/** What the Manage Plugin page and /api/v1/plugins/:name show, beyond the report row. */
export interface PluginDetail {
  plugin: PluginSummary
  generation: number | null
  history: Array<PluginVersion & { generations: number[] }>
  files: BundleFile[]
  frontend: Array<{ path: string; present: boolean; url: string | null }>
  /** Each live plugin-loading process: the version of this plugin its generation holds, and how its load went. */
  running: Array<{ process: ProcessInfo; version: string | null; sha256: string | null; load: { status: string; durationMs: number | null } | null }>
}

const META_LABELS: Array<[string, string]> = [['nickname', 'Nickname'], ['description', 'Description'], ['author', 'Author'], ['category', 'Category'], ['supportEmail', 'Support e-mail'], ['supportUrl', 'Support URL']]

export function managePluginPage(d: PluginDetail, now: number): Html {
  const p = d.plugin
  const meta = (typeof p.entry.manifest.metadata === 'object' && p.entry.manifest.metadata ? p.entry.manifest.metadata : {}) as Record<string, unknown>
  const sig = p.entry.signature
  const known = new Set(META_LABELS.map(([k]) => k))
  const extraMeta = Object.entries(meta).filter(([k]) => !known.has(k))
  return html`<h1>${p.name} <span class="subtitle">${p.version}</span> ${statusBadge(p.status)}</h1>
${p.status === 'error' ? html`<div class="banner error">This plugin is not loaded: ${p.warnings.find((w) => w.severity === 'error')?.message ?? 'it failed validation'}</div>` : ''}
${p.entry.rejected ? html`<div class="banner error">An update to ${p.entry.rejected.version} (${p.entry.rejected.origin}) was rejected; ${p.version} stays loaded. See the warnings below.</div>` : ''}
<section class="panel" aria-labelledby="meta-title">
<h2 id="meta-title">Details</h2>
<dl class="meta">
${META_LABELS.map(([key, label]) => html`<dt>${label}</dt><dd>${key === 'supportEmail' && typeof meta[key] === 'string' ? safeLink(`mailto:${meta[key]}`, meta[key] as string) : key === 'supportUrl' ? safeLink(meta[key]) : text(meta[key])}</dd>`)}
${extraMeta.map(([k, v]) => html`<dt>${k}</dt><dd>${text(v)}</dd>`)}
<dt>Status</dt><dd>${statusBadge(p.status)}</dd>
<dt>Version</dt><dd>${p.version}</dd>
<dt>Source</dt><dd>${p.source}</dd>
<dt>Origin</dt><dd class="mono">${p.origin}</dd>
<dt>Bundle sha256</dt><dd class="mono">${p.sha256}</dd>
<dt>Signature</dt><dd>${sig ? html`${badge(sig.state === 'valid' ? 'ok' : sig.state === 'missing' ? 'muted' : 'error', sig.state)}${sig.keyId ? html` <span class="mono">key ${sig.keyId}</span>` : ''}` : html`<span class="muted">not checked</span>`}</dd>
<dt>Published</dt><dd>${when(p.entry.publishedAt, now)}</dd>
<dt>API version</dt><dd>${text(p.entry.manifest.apiVersion)}</dd>
<dt>Modules</dt><dd class="mono">${text(p.entry.manifest.modules)}</dd>
</dl>
</section>
<section aria-labelledby="warnings-title" id="warnings">
<h2 id="warnings-title">Warnings <span class="subtitle">(${p.warnings.length})</span></h2>
${p.warnings.length ? p.warnings.map((w) => warningItem(w, now)) : html`<p class="empty">No warnings for this plugin.</p>`}
</section>
<section aria-labelledby="registered-title" id="registered">
<h2 id="registered-title">What it registers</h2>
${registeredList(p.entry.registered)}
</section>
<section aria-labelledby="frontend-title" id="frontend">
<h2 id="frontend-title">Frontend files</h2>
${d.frontend.length ? html`<ul class="plain">${d.frontend.map((f) => html`<li class="mono">${f.url ? html`<a href="${f.url}">${f.path}</a>` : f.path}${f.present ? '' : html` ${badge('warning', 'missing')}`}</li>`)}</ul>
<p class="muted">Loaded on every admin page${p.status === 'error' ? ' once the plugin loads' : ''}, in this order.</p>` : html`<p class="empty">None.</p>`}
<details><summary>All ${d.files.length} files in the bundle (${formatBytes(d.files.reduce((n, f) => n + f.size, 0))})</summary>
${table(html`<tr><th>Path</th><th>Size</th><th class="hide-narrow">sha256</th></tr>`, d.files.map((f) => html`<tr><td class="mono">${f.path}</td><td>${formatBytes(f.size)}</td><td class="mono hide-narrow">${f.sha256.slice(0, 16)}</td></tr>`), 'No files.')}
</details>
</section>
<section aria-labelledby="history-title" id="history">
<h2 id="history-title">Version history</h2>
${table(html`<tr><th>Version</th><th>Status</th><th>sha256</th><th class="hide-narrow">Source</th><th>Published</th><th>Generations</th></tr>`,
    d.history.map((h) => html`<tr${h.id === p.entry.id ? html` class="current"` : ''}><td>${h.version}${h.id === p.entry.id ? html` ${badge('ok', 'current')}` : ''}</td><td>${statusBadge(h.status)}</td><td class="mono">${h.bundleSha256.slice(0, 12)}</td>
<td class="hide-narrow">${h.source}</td><td>${when(h.publishedAt, now)}</td><td>${ranges(h.generations)}</td></tr>`), 'No history.')}
</section>
<section aria-labelledby="processes-title" id="processes">
<h2 id="processes-title">Processes running it</h2>
${table(html`<tr><th>Process</th><th>Generation</th><th>Version there</th><th>Load</th></tr>`,
    d.running.map((r) => html`<tr><td class="mono">${r.process.role}@${r.process.host}:${r.process.pid}</td>
<td>${r.process.generation ?? '-'}${r.process.generation !== d.generation ? html` ${badge('warning', 'restart needed')}` : ''}</td>
<td>${r.version ?? html`<span class="muted">not in that generation</span>`}</td>
<td>${r.load ? html`${badge(r.load.status === 'loaded' ? 'ok' : r.load.status === 'failed' ? 'error' : 'muted', r.load.status)}${r.load.durationMs !== null ? ` ${r.load.durationMs.toFixed(1)} ms` : ''}` : html`<span class="muted">no report</span>`}</td></tr>`),
    'No live worker or web process.')}
</section>`
}

function warningItem(w: StoredWarning, now: number): Html {
  return html`<article class="warning-item ${w.severity}">
<div class="head">${badge(w.severity)} <code>${w.code}</code> <span class="muted">${w.version ? `version ${w.version}` : ''}</span></div>
<p>${w.message}</p>
<p class="muted">Seen by ${whereText(w.where)}; first ${when(w.firstSeen, now)}, last ${when(w.lastSeen, now)}; ${w.count} time${w.count === 1 ? '' : 's'}${w.generation !== null ? `; generation ${w.generation}` : ''}.</p>
${w.detail ? html`<details><summary>Detail</summary><pre>${w.detail}</pre></details>` : ''}
</article>`
}

const KIND_LABELS: Record<string, string> = { filters: 'Filters', actions: 'Bot actions', eventTypes: 'Event types', routes: 'Routes', frontend: 'Frontend files' }

/** What the dry run saw the plugin register (the loader's RegisteredSummary); kinds it adds later show under their own key. */
function registeredList(registered: Record<string, unknown> | null): Html {
  if (!registered) return html`<p class="empty">Nothing recorded: the plugin was not loaded in a dry run.</p>`
  const entries = Object.entries(registered)
  if (!entries.length) return html`<p class="empty">Nothing.</p>`
  return html`<dl class="meta">${entries.map(([kind, value]) => html`<dt>${KIND_LABELS[kind] ?? kind}</dt><dd>${Array.isArray(value)
    ? value.length ? html`<ul class="plain">${value.map((v) => html`<li class="mono">${label(v)}</li>`)}</ul>` : html`<span class="muted">none</span>`
    : html`<span class="mono">${label(value)}</span>`}</dd>`)}</dl>`
}

/** An id-like field (with its display name when it has one), else the JSON. */
const label = (v: unknown): string => {
  if (typeof v === 'string') return v
  const o = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>
  const id = o.id ?? o.uid ?? o.queryId ?? o.path
  if (typeof id !== 'string') return typeof o.name === 'string' ? o.name : JSON.stringify(v)
  return typeof o.name === 'string' && o.name !== id ? `${id} (${o.name})` : id
}

const text = (v: unknown): string => (v === undefined || v === null || v === '' ? '-' : typeof v === 'string' ? v : Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ') : JSON.stringify(v))

export function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`
}
