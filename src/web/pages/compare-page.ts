import { html } from 'hono/html'
import type { PluginVersion } from '../../store/store-types.ts'
import type { FileChange } from '../compare-versions.ts'
import type { Hunk } from '../line-diff.ts'
import { badge, pluginPath, statusBadge, type Html } from './page-parts.ts'
import { formatBytes } from './manage-plugin-page.ts'

export interface ComparePageOptions {
  plugin: string
  versions: PluginVersion[]
  from: PluginVersion | null
  to: PluginVersion | null
  changes: FileChange[] | null
}

const TONE = { added: 'ok', removed: 'error', changed: 'warning' } as const

/** The version picker: a GET form, so a comparison is a link. */
function picker(o: ComparePageOptions): Html {
  const select = (
    name: 'from' | 'to',
    label: string,
    chosen: PluginVersion | null,
  ) => html`<div class="field"><label for="c-${name}">${label}</label>
<select id="c-${name}" name="${name}">${[...new Set(o.versions.map((v) => v.version))].map((v) => {
    const s = o.versions.find((x) => x.version === v)!
    return html`<option value="${v}"${chosen?.version === v ? html` selected` : ''}>${v}${s.status === 'error' ? ' (rejected)' : ''}</option>`
  })}</select></div>`
  return html`<form class="filters" method="get" action="${pluginPath(o.plugin)}/compare" aria-label="Choose versions">
${select('from', 'From', o.from)}${select('to', 'To', o.to)}
<div class="field buttons"><button type="submit">Compare</button></div></form>`
}

function hunkBlock(h: Hunk): Html {
  // One block per line (no newline characters between them: the blocks are the lines).
  return html`<pre class="diff"><code><span class="hunk">@@ -${h.aStart} +${h.bStart} @@</span>${h.lines.map((l) => html`<span class="${l.op === '+' ? 'add' : l.op === '-' ? 'del' : 'ctx'}">${l.op}${l.text}</span>`)}</code></pre>`
}

function fileBlock(f: FileChange): Html {
  const sizes =
    f.status === 'added'
      ? formatBytes(f.after!.size)
      : f.status === 'removed'
        ? formatBytes(f.before!.size)
        : `${formatBytes(f.before!.size)} → ${formatBytes(f.after!.size)}`
  return html`<article class="file-change" data-path="${f.path}" data-status="${f.status}">
<h3><code>${f.path}</code> ${badge(TONE[f.status], f.status)} <span class="muted">${sizes}</span></h3>
${f.note ? html`<p class="muted">${f.note}</p>` : ''}
${f.hunks?.length ? f.hunks.map(hunkBlock) : ''}
</article>`
}

/** /settings/integrations/plugins/:name/compare?from=V&to=V: what changed between two stored versions, rejected ones too. */
export function comparePage(o: ComparePageOptions): Html {
  const counts = { added: 0, removed: 0, changed: 0 }
  for (const c of o.changes ?? []) counts[c.status]++
  return html`<h1>Compare versions <span class="subtitle">${o.plugin}</span></h1>
${picker(o)}
${
  o.from && o.to && o.changes
    ? html`<section aria-labelledby="changes-title" id="changes">
<h2 id="changes-title">${o.from.version} ${statusBadge(o.from.status)} → ${o.to.version} ${statusBadge(o.to.status)}</h2>
<p id="change-summary">${o.changes.length ? `${o.changes.length} file${o.changes.length === 1 ? '' : 's'} differ: ${counts.added} added, ${counts.removed} removed, ${counts.changed} changed.` : 'The two versions hold the same files.'}</p>
${o.changes.map(fileBlock)}
</section>`
    : html`<p class="muted">Choose two versions; every version the store keeps is listed, rejected ones too.</p>`
}
<p><a href="${pluginPath(o.plugin)}#history">Back to the version history</a></p>`
}
