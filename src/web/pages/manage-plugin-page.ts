import { html } from 'hono/html'
import type { StoredWarning } from '../../report/stored-warning.ts'
import { warningId } from '../../report/warning-id.ts'
import type { WarningAck } from '../../runtime/warning-acks.ts'
import type { PluginSettingsView } from '../../settings/plugin-settings-view.ts'
import type { PluginDetail } from '../plugin-detail.ts'
import type { SourceExcerpt } from '../source-excerpt.ts'
import { isAcknowledged } from '../warning-query.ts'
import { auditTable } from './audit-page.ts'
import {
  badge,
  pluginPath,
  pluginStatusBadge,
  postButton,
  ranges,
  safeLink,
  statusBadge,
  table,
  utc,
  when,
  whereText,
  type Html,
} from './page-parts.ts'
import { requestList } from './request-list.ts'
import { settingsSection, type SettingsFormState } from './settings-form.ts'
import { ackForm, ackLine, versionNote, type RunningVersion } from './warning-table.ts'

export type { PluginDetail } from '../plugin-detail.ts'

export interface ManageOptions {
  now: number
  csrf: string | null
  acks: Map<string, WarningAck>
  settings: PluginSettingsView
  /** A settings form that was refused: what was typed, and each problem. */
  settingsForm?: SettingsFormState
}

const META_LABELS: Array<[string, string]> = [
  ['nickname', 'Nickname'],
  ['description', 'Description'],
  ['author', 'Author'],
  ['category', 'Category'],
  ['supportEmail', 'Support e-mail'],
  ['supportUrl', 'Support URL'],
]
const RANK = { error: 0, warning: 1, info: 2 }

/** Manage Plugin: status and what to do first (errors, with where in its own code), then details, settings, history and processes. */
export function managePluginPage(d: PluginDetail, o: ManageOptions): Html {
  const p = d.plugin
  const path = pluginPath(p.name)
  const warnings = [...p.warnings].sort((a, b) => RANK[a.severity] - RANK[b.severity] || (a.lastSeen < b.lastSeen ? 1 : -1))
  const running = new Map([
    [p.name, { version: p.version, rejected: p.entry.rejected?.version ?? null, loaded: p.status !== 'error' && !d.disabled }],
  ])
  const open = warnings.filter((w) => !isAcknowledged(w, o.acks))
  return html`<h1>${p.name} <span class="subtitle">${p.version}</span> ${d.disabled ? statusBadge('disabled') : pluginStatusBadge(p)}</h1>
${statusBanner(d)}
<section class="panel actions" aria-labelledby="actions-title" id="actions">
<h2 id="actions-title">Actions</h2>
<div class="buttons">${
    d.disabled
      ? postButton({ action: `${path}/enable`, label: 'Enable', csrf: o.csrf })
      : html`${postButton({ action: `${path}/disable`, label: 'Disable', csrf: o.csrf, className: 'danger' })} <a href="#history">Roll back to a version…</a> <a href="${path}/compare">Compare versions</a>`
  }</div>
${requestList(d.requests, o.now)}
</section>
<section aria-labelledby="warnings-title" id="warnings">
<h2 id="warnings-title">Warnings <span class="subtitle">(${p.warnings.length}${open.length !== p.warnings.length ? `, ${open.length} open` : ''})</span></h2>
${warnings.length ? warnings.map((w) => warningItem(w, { ...o, running, excerpt: d.sources.get(warningId(w)) ?? null, next: `${path}#warnings` })) : html`<p class="empty">${d.disabled ? 'None while it is disabled: no generation holds it.' : 'No warnings for this plugin.'}</p>`}
</section>
${detailsPanel(d, o.now)}
${settingsSection(p.name, o.settings, o.csrf, o.settingsForm)}
<section aria-labelledby="registered-title" id="registered">
<h2 id="registered-title">What it registers</h2>
${registeredList(p.entry.registered)}
</section>
<section aria-labelledby="frontend-title" id="frontend">
<h2 id="frontend-title">Frontend files</h2>
${
  d.frontend.length
    ? html`<ul class="plain">${d.frontend.map((f) => html`<li class="mono">${f.url ? html`<a href="${f.url}">${f.path}</a>` : f.path}${f.present ? '' : html` ${badge('warning', 'missing')}`}</li>`)}</ul>
<p class="muted">Loaded on every admin page${p.status === 'error' ? ' once the plugin loads' : ''}, in this order (not with ?safe=1).</p>`
    : html`<p class="empty">None.</p>`
}
<details><summary>All ${d.files.length} files in the bundle (${formatBytes(d.files.reduce((n, f) => n + f.size, 0))})</summary>
${table(
  html`<tr><th>Path</th><th>Size</th><th class="hide-narrow">sha256</th></tr>`,
  d.files.map(
    (f) =>
      html`<tr><td class="mono">${f.path}</td><td>${formatBytes(f.size)}</td><td class="mono hide-narrow">${f.sha256.slice(0, 16)}</td></tr>`,
  ),
  'No files.',
  { caption: 'Bundle files' },
)}
</details>
</section>
${historySection(d, o)}
${processesSection(d)}
<section aria-labelledby="audit-title" id="audit">
<h2 id="audit-title">Recent actions</h2>
${auditTable(d.audit, 'No operator action on this plugin yet.')}
<p><a href="/settings/audit?plugin=${encodeURIComponent(p.name)}">All actions on ${p.name}</a></p>
</section>`
}

/** What runs, in words that match it: a rejected update never reads as "not loaded" while the old version runs. */
function statusBanner(d: PluginDetail): Html | string {
  const p = d.plugin
  if (d.disabled)
    return html`<div class="banner info" role="status">Disabled by ${d.disabled.by}, ${utc(d.disabled.at)}: no generation holds it, so no process loads it. Enable it to publish it from its source again.</div>`
  const rejected = p.entry.rejected
  if (p.status === 'error')
    return html`<div class="banner error">This plugin is not loaded: ${p.warnings.find((w) => w.severity === 'error')?.message ?? 'it failed validation'}</div>`
  if (rejected)
    return html`<div class="banner error">Update rejected, ${p.version} running: the update to ${rejected.version} (${rejected.origin}) failed validation, so ${p.version} stays published and loaded. The errors below say why.</div>`
  return ''
}

function detailsPanel(d: PluginDetail, now: number): Html {
  const p = d.plugin
  const meta = (typeof p.entry.manifest.metadata === 'object' && p.entry.manifest.metadata ? p.entry.manifest.metadata : {}) as Record<
    string,
    unknown
  >
  const sig = p.entry.signature
  const known = new Set(META_LABELS.map(([k]) => k))
  return html`<section class="panel" aria-labelledby="meta-title">
<h2 id="meta-title">Details</h2>
<dl class="meta">
${META_LABELS.map(([key, label]) => html`<dt>${label}</dt><dd>${key === 'supportEmail' && typeof meta[key] === 'string' ? safeLink(`mailto:${meta[key]}`, meta[key] as string) : key === 'supportUrl' ? safeLink(meta[key]) : text(meta[key])}</dd>`)}
${Object.entries(meta)
  .filter(([k]) => !known.has(k))
  .map(([k, v]) => html`<dt>${k}</dt><dd>${text(v)}</dd>`)}
<dt>Status</dt><dd>${d.disabled ? statusBadge('disabled') : pluginStatusBadge(p)}</dd>
<dt>Version</dt><dd>${p.version}</dd>
<dt>Source</dt><dd>${p.source}</dd>
<dt>Origin</dt><dd class="mono">${p.origin}</dd>
<dt>Bundle sha256</dt><dd class="mono">${p.sha256}</dd>
<dt>Signature</dt><dd>${sig ? html`${badge(sig.state === 'valid' ? 'ok' : sig.state === 'missing' ? 'muted' : 'error', sig.state)}${sig.keyId ? html` <span class="mono">key ${sig.keyId}</span>` : ''}` : html`<span class="muted">not checked</span>`}</dd>
<dt>Published</dt><dd>${when(p.entry.publishedAt, now)}</dd>
<dt>API version</dt><dd>${text(p.entry.manifest.apiVersion)}</dd>
<dt>Modules</dt><dd class="mono">${text(p.entry.manifest.modules)}</dd>
</dl>
</section>`
}

interface ItemOptions extends ManageOptions {
  running: Map<string, RunningVersion>
  excerpt: SourceExcerpt | null
  next: string
}

/** One warning, actionable: which version, when (UTC), where in the plugin's own code, and its acknowledgement. */
function warningItem(w: StoredWarning, o: ItemOptions): Html {
  const ack = isAcknowledged(w, o.acks)
  const id = warningId(w)
  return html`<article class="warning-item ${w.severity}${ack ? ' acknowledged' : ''}" id="w-${id}" aria-labelledby="w-${id}-code">
<div class="head">${badge(w.severity)} <code id="w-${id}-code">${w.code}</code> <span class="muted">${versionNote(w, o.running)}</span>${ack ? html` ${badge('muted', 'acknowledged')}` : ''}</div>
<p>${w.message}</p>
<p class="muted">Seen by ${whereText(w.where)}; first seen ${utc(w.firstSeen)}, last seen ${utc(w.lastSeen)}; ${w.count} time${w.count === 1 ? '' : 's'}${w.generation !== null ? `; generation ${w.generation}` : ''}.</p>
${o.excerpt ? sourceBlock(o.excerpt) : ''}
${w.detail ? html`<details${o.excerpt ? '' : html` open`}><summary>Detail</summary><pre>${w.detail}</pre></details>` : ''}
${ack ? ackLine(ack) : ackForm(w, o.csrf, o.next)}
</article>`
}

/** The plugin's own lines around the failing one, the failing line marked. */
function sourceBlock(x: SourceExcerpt): Html {
  return html`<figure class="source"><figcaption>In its own code: <code>${x.where}</code></figcaption>
<pre><code>${x.lines.map((l) => html`<span class="${l.n === x.line ? 'line hit' : 'line'}"><span class="ln" aria-hidden="true">${l.n}</span>${l.text}</span>`)}</code></pre></figure>`
}

function historySection(d: PluginDetail, o: ManageOptions): Html {
  const p = d.plugin
  const path = pluginPath(p.name)
  const current = (id: number) => !d.disabled && id === p.entry.id
  const previous = d.history.find((h) => !current(h.id) && h.version !== p.version)
  return html`<section aria-labelledby="history-title" id="history">
<h2 id="history-title">Version history</h2>
${table(
  html`<tr><th>Version</th><th>Status</th><th>sha256</th><th class="hide-narrow">Source</th><th>Published</th><th>Generations</th><th>Action</th></tr>`,
  d.history.map(
    (
      h,
    ) => html`<tr${current(h.id) ? html` class="current"` : ''}><td>${h.version}${current(h.id) ? html` ${badge('ok', 'current')}` : ''}${p.entry.rejected?.id === h.id ? html` ${badge('error', 'rejected')}` : ''}</td><td>${statusBadge(h.status)}</td><td class="mono">${h.bundleSha256.slice(0, 12)}</td>
<td class="hide-narrow">${h.source}</td><td>${when(h.publishedAt, o.now)}</td><td>${ranges(h.generations)}</td>
<td>${h.status !== 'error' && !current(h.id) && !d.disabled ? postButton({ action: `${path}/rollback`, label: `Roll back to ${h.version}`, csrf: o.csrf, fields: { version: h.version } }) : ''}
${h.version !== p.version ? html`<a href="${path}/compare?from=${encodeURIComponent(h.version)}&to=${encodeURIComponent(p.version)}">Compare with ${p.version}</a>` : ''}</td></tr>`,
  ),
  'No history.',
  { caption: 'Version history' },
)}
${previous ? html`<p><a href="${path}/compare?from=${encodeURIComponent(previous.version)}&to=${encodeURIComponent(p.version)}">What changed from ${previous.version} to ${p.version}</a></p>` : ''}
</section>`
}

function processesSection(d: PluginDetail): Html {
  return html`<section aria-labelledby="processes-title" id="processes">
<h2 id="processes-title">Processes running it</h2>
${table(
  html`<tr><th>Process</th><th>Generation</th><th>Version there</th><th>Load</th></tr>`,
  d.running.map(
    (r) => html`<tr><td class="mono">${r.process.role}@${r.process.host}:${r.process.pid}</td>
<td>${r.process.generation ?? '-'}${r.version !== d.plugin.version || d.disabled ? html` ${badge('warning', 'restart needed')}` : ''}</td>
<td>${r.version ?? '-'}</td>
<td>${badge('ok', 'loaded')}${r.load?.durationMs != null ? ` ${r.load.durationMs.toFixed(1)} ms` : ''}</td></tr>`,
  ),
  d.disabled ? 'No live worker or web process runs it.' : 'No live worker or web process has loaded it.',
  { caption: 'Processes running it' },
)}
${d.failedIn.length ? html`<p class="muted">Failed to load in: ${d.failedIn.map((r, i) => html`${i ? ', ' : ''}<span class="mono">${r.process.role}@${r.process.host}:${r.process.pid}</span> (${r.version ?? 'unknown version'})`)}; the errors above say why.</p>` : ''}
</section>`
}

const KIND_LABELS: Record<string, string> = {
  filters: 'Filters',
  actions: 'Bot actions',
  eventTypes: 'Event types',
  routes: 'Routes',
  frontend: 'Frontend files',
}

/** What the dry run saw the plugin register (the loader's RegisteredSummary); kinds it adds later show under their own key. */
function registeredList(registered: Record<string, unknown> | null): Html {
  if (!registered) return html`<p class="empty">Nothing recorded: the plugin was not loaded in a dry run.</p>`
  const entries = Object.entries(registered)
  if (!entries.length) return html`<p class="empty">Nothing.</p>`
  return html`<dl class="meta">${entries.map(
    ([kind, value]) =>
      html`<dt>${KIND_LABELS[kind] ?? kind}</dt><dd>${
        Array.isArray(value)
          ? value.length
            ? html`<ul class="plain">${value.map((v) => html`<li class="mono">${label(v)}</li>`)}</ul>`
            : html`<span class="muted">none</span>`
          : html`<span class="mono">${label(value)}</span>`
      }</dd>`,
  )}</dl>`
}

/** An id-like field (with its display name when it has one), else the JSON. */
const label = (v: unknown): string => {
  if (typeof v === 'string') return v
  const o = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>
  const id = o.id ?? o.uid ?? o.queryId ?? o.path
  if (typeof id !== 'string') return typeof o.name === 'string' ? o.name : JSON.stringify(v)
  return typeof o.name === 'string' && o.name !== id ? `${id} (${o.name})` : id
}

const text = (v: unknown): string =>
  v === undefined || v === null || v === ''
    ? '-'
    : typeof v === 'string'
      ? v
      : Array.isArray(v)
        ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ')
        : JSON.stringify(v)

export function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`
}
