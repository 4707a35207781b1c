// Runs on every admin page (CSP default-src 'self': no inline code, same origin only).
const nav = document.querySelector('nav')
if (nav) {
  const link = document.createElement('a')
  link.href = '/plugin/ops-banner/status'
  link.textContent = 'On call'
  link.id = 'ops-banner-nav'
  nav.append(link)
}
const banner = document.createElement('div')
banner.id = 'ops-banner'
banner.className = 'ops-banner'
banner.textContent = 'Ops banner plugin loaded'
document.body.prepend(banner)
fetch('/plugin/ops-banner/status', { credentials: 'same-origin' })
  .then((r) => (r.ok ? r.json() : null))
  .then((s) => {
    if (s) banner.textContent = `On call: ${s.onCall}`
  })
  .catch(() => {})
