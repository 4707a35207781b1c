import { createHash } from 'node:crypto'

/**
 * The admin's one stylesheet, kept as a string module so the single
 * executable needs no side files. Served at /static/app.css?v=<hash>.
 */
export const APP_CSS = `
:root { --fg: #1f2328; --muted: #59636e; --bg: #f6f8fa; --card: #fff; --line: #d1d9e0; --accent: #0b57d0;
  --error: #b42318; --error-bg: #fef3f2; --warn: #8a5a00; --warn-bg: #fff8e6; --info: #175cd3; --info-bg: #eff8ff; --ok: #067647; --ok-bg: #ecfdf3;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; font-size: 15px; line-height: 1.45; color: var(--fg); }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); }
a { color: var(--accent); }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.88em; }
pre { white-space: pre-wrap; word-break: break-word; background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 0.6rem; margin: 0.4rem 0; max-height: 24rem; overflow: auto; }
.topbar { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1.25rem; background: #24292f; color: #fff; padding: 0.6rem 1.25rem; }
.topbar .brand { color: #fff; font-weight: 700; text-decoration: none; font-size: 1.05rem; }
.topbar nav { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; flex: 1; }
.topbar nav a { color: #e6edf3; text-decoration: none; padding: 0.2rem 0; }
.topbar nav a[aria-current="page"], .topbar nav a:hover { color: #fff; text-decoration: underline; }
.topbar form { margin: 0; }
.topbar button { background: transparent; color: #e6edf3; border: 1px solid #57606a; border-radius: 6px; padding: 0.2rem 0.7rem; cursor: pointer; font: inherit; }
main { max-width: 78rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
.breadcrumb ol { list-style: none; display: flex; flex-wrap: wrap; gap: 0.4rem; padding: 0; margin: 0 0 0.5rem; color: var(--muted); font-size: 0.9rem; }
.breadcrumb li + li::before { content: "\\203A"; margin-right: 0.4rem; }
h1 { font-size: 1.5rem; margin: 0.2rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.8rem 0 0.6rem; }
.subtitle { color: var(--muted); font-weight: 400; font-size: 1rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: 0.75rem; margin-bottom: 1rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 0.75rem 1rem; color: inherit; text-decoration: none; display: block; }
a.card:hover, a.card:focus-visible { border-color: var(--accent); }
a.card:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.cards.triage { grid-template-columns: repeat(auto-fit, minmax(8rem, 1fr)); }
.card .n { font-size: 1.6rem; font-weight: 700; display: block; }
.card .label { color: var(--muted); font-size: 0.9rem; }
.card.bad .n { color: var(--error); } .card.warn .n { color: var(--warn); }
.panel { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 0.25rem 1rem 1rem; margin-bottom: 1rem; }
/* No overflow box: it would clip an open Action menu; on a phone tables stack instead of scrolling sideways. */
.table-wrap { background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 0.5rem 0.75rem; border-bottom: 1px solid var(--line); }
th { font-size: 0.85rem; color: var(--muted); font-weight: 600; background: #fafbfc; white-space: nowrap; }
tr:last-child td { border-bottom: 0; }
td.msg { min-width: 18rem; max-width: 42rem; overflow-wrap: anywhere; }
.badge { display: inline-block; border-radius: 999px; padding: 0.05rem 0.55rem; font-size: 0.8rem; font-weight: 600; white-space: nowrap; border: 1px solid transparent; }
.badge.error { color: var(--error); background: var(--error-bg); border-color: #fecdca; }
.badge.warning { color: var(--warn); background: var(--warn-bg); border-color: #fedf89; }
.badge.info { color: var(--info); background: var(--info-bg); border-color: #b2ddff; }
.badge.ok { color: var(--ok); background: var(--ok-bg); border-color: #abefc6; }
.badge.muted { color: var(--muted); background: var(--bg); border-color: var(--line); }
.banner { border-radius: 8px; padding: 0.75rem 1rem; margin: 0 0 1rem; border: 1px solid; }
.banner.restart { background: var(--warn-bg); border-color: #fedf89; color: #5c3c00; }
.banner.error { background: var(--error-bg); border-color: #fecdca; color: var(--error); }
.banner.info { background: var(--info-bg); border-color: #b2ddff; }
.menu { position: relative; display: inline-block; }
.menu > summary { list-style: none; cursor: pointer; border: 1px solid var(--line); border-radius: 6px; padding: 0.2rem 0.6rem; background: var(--card); white-space: nowrap; }
.menu > summary::-webkit-details-marker { display: none; }
.menu > summary::after { content: " \\25BE"; }
.menu > summary:focus-visible, .menu a:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.menu ul { position: absolute; right: 0; z-index: 20; list-style: none; margin: 0.25rem 0 0; padding: 0.3rem 0; min-width: 12rem; background: var(--card); border: 1px solid var(--line); border-radius: 8px; box-shadow: 0 8px 24px rgba(0,0,0,0.12); }
.menu li a, .menu li button { display: block; width: 100%; text-align: left; padding: 0.35rem 0.9rem; text-decoration: none; color: var(--fg); background: none; border: 0; font: inherit; cursor: pointer; }
.menu li a:hover, .menu li a:focus, .menu li button:hover, .menu li button:focus { background: var(--bg); }
.menu li form { margin: 0; }
.menu li button:focus-visible { outline: 2px solid var(--accent); outline-offset: -2px; }
dl.meta { display: grid; grid-template-columns: minmax(8rem, max-content) 1fr; gap: 0.35rem 1rem; margin: 0.75rem 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.warning-item { border: 1px solid var(--line); border-left: 4px solid var(--line); border-radius: 6px; padding: 0.6rem 0.8rem; margin: 0.6rem 0; background: var(--card); }
.warning-item.error { border-left-color: var(--error); } .warning-item.warning { border-left-color: #f79009; } .warning-item.info { border-left-color: var(--info); }
.warning-item .head { display: flex; flex-wrap: wrap; gap: 0.4rem 0.8rem; align-items: center; }
.warning-item p { margin: 0.4rem 0; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
time[datetime]:not(.abs):hover::after { content: " (" attr(datetime) ")"; color: var(--muted); font-size: 0.85em; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.skip { position: absolute; left: 0.5rem; top: -3rem; background: var(--card); color: var(--accent); padding: 0.4rem 0.8rem; border-radius: 6px; z-index: 30; }
.skip:focus { top: 0.5rem; }
.name { overflow-wrap: normal; word-break: normal; hyphens: manual; }
button, .filters select, .filters input, .settings input, .settings select, textarea { font: inherit; }
button { border: 1px solid var(--line); background: var(--card); color: var(--fg); border-radius: 6px; padding: 0.3rem 0.8rem; cursor: pointer; }
button:focus-visible, select:focus-visible, input:focus-visible, textarea:focus-visible, summary:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
button.danger { color: var(--error); border-color: #fecdca; }
form.inline { display: inline; margin: 0; }
.buttons { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; margin: 0.5rem 0; }
.filters { display: flex; flex-wrap: wrap; gap: 0.5rem 0.75rem; align-items: flex-end; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 0.6rem 0.8rem; margin: 0 0 0.75rem; }
.filters .field { display: flex; flex-direction: column; gap: 0.15rem; min-width: 7rem; }
.filters .field.grow { flex: 1 1 12rem; }
.filters label { font-size: 0.85rem; color: var(--muted); font-weight: 600; }
.filters select, .filters input { padding: 0.3rem 0.4rem; border: 1px solid #8c959f; border-radius: 6px; background: #fff; max-width: 100%; }
.filters .buttons { flex-direction: row; margin: 0; }
details.ack > summary { cursor: pointer; color: var(--accent); }
details.ack form { display: grid; gap: 0.3rem; margin-top: 0.3rem; min-width: 14rem; }
details.ack textarea { width: 100%; border: 1px solid #8c959f; border-radius: 6px; padding: 0.3rem; }
details.ack label { font-size: 0.85rem; }
.acked { margin: 0; color: var(--muted); font-size: 0.9rem; overflow-wrap: anywhere; }
.warning-item.acknowledged { opacity: 0.85; }
figure.source { margin: 0.5rem 0; }
figure.source figcaption { font-size: 0.9rem; color: var(--muted); }
figure.source pre, pre.diff { padding: 0.4rem 0; }
pre .line, pre.diff span { display: block; padding: 0 0.6rem; white-space: pre-wrap; }
pre .line.hit { background: var(--error-bg); border-left: 3px solid var(--error); font-weight: 600; }
pre .ln { display: inline-block; min-width: 3ch; margin-right: 1ch; color: var(--muted); text-align: right; user-select: none; }
pre.diff .add { background: var(--ok-bg); color: #05603a; }
pre.diff .del { background: var(--error-bg); color: #912018; }
pre.diff .hunk { color: var(--muted); }
.file-change h3 { font-size: 1rem; margin: 1.2rem 0 0.3rem; overflow-wrap: anywhere; }
ul.requests { list-style: none; padding: 0; margin: 0.5rem 0; }
ul.requests li { padding: 0.3rem 0; border-top: 1px solid var(--line); overflow-wrap: anywhere; }
.settings .setting { margin: 0.6rem 0; }
.settings label { display: block; font-weight: 600; }
.settings input, .settings select { width: min(100%, 28rem); padding: 0.35rem; border: 1px solid #8c959f; border-radius: 6px; }
.settings .setting.invalid input, .settings .setting.invalid select { border-color: var(--error); }
.field-error { color: var(--error); margin: 0.2rem 0; }
.req { color: var(--muted); font-weight: 400; }
.msg-inline { color: var(--muted); overflow-wrap: anywhere; }
figure.chart { margin: 0 0 1rem; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 0.6rem 0.8rem; }
figure.chart figcaption { font-weight: 600; display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; align-items: center; }
.legend { display: inline-flex; gap: 0.8rem; font-weight: 400; font-size: 0.85rem; }
.legend .key::before { content: ""; display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.3em; vertical-align: -0.05em; border-radius: 2px; }
.legend .key.error::before { background: #b42318; } .legend .key.warning::before { background: #b54708; } .legend .key.info::before { background: #175cd3; }
tr.disabled td { color: var(--muted); }
caption { text-align: left; }
.empty { color: var(--muted); padding: 0.75rem 0; }
.pager { display: flex; gap: 1rem; align-items: center; margin: 0.5rem 0; color: var(--muted); }
ul.plain { margin: 0.3rem 0; padding-left: 1.2rem; }
.login { max-width: 26rem; margin: 4rem auto; background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 1.5rem; }
.login label { display: block; font-weight: 600; margin-bottom: 0.35rem; }
.login input[type="password"], .login input[type="text"] { width: 100%; margin-bottom: 0.75rem; padding: 0.5rem; font: inherit; border: 1px solid var(--line); border-radius: 6px; }
.login button { margin-top: 1rem; padding: 0.5rem 1.1rem; font: inherit; background: var(--accent); color: #fff; border: 0; border-radius: 6px; cursor: pointer; }
.login .error { color: var(--error); }
@media (max-width: 40rem) {
  main { padding: 0.75rem 0.75rem 2rem; }
  .topbar { padding: 0.6rem 0.75rem; }
  dl.meta { grid-template-columns: 1fr; } dl.meta dd { margin-bottom: 0.4rem; }
  th, td { padding: 0.4rem 0.5rem; }
  .hide-narrow { display: none; }
  /* Action menus open in the page's flow on a phone: never off the screen's edge (app.js places them when it runs). */
  .menu { display: block; }
  .menu[open] > ul { position: static; margin-top: 0.35rem; min-width: 0; box-shadow: none; }
  .filters .field { flex: 1 1 45%; }
  table.stack thead { display: none; }
  table.stack tr { display: block; padding: 0.5rem 0.25rem; border-bottom: 1px solid var(--line); }
  table.stack tr:last-child { border-bottom: 0; }
  table.stack td { display: inline-block; border: 0; padding: 0.15rem 0.4rem; vertical-align: middle; }
  table.stack td.msg { display: block; min-width: 0; max-width: none; }
  table.stack td.hide-narrow { display: none; }
  .table-wrap:has(table.stack) { overflow: visible; }
}
`

/** Changes whenever the stylesheet does, so it can be cached for good. */
export const APP_CSS_VERSION = createHash('sha256').update(APP_CSS).digest('hex').slice(0, 12)
