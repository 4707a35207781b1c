import { createHash } from 'node:crypto'

/**
 * The admin's one script, served at /static/app.js?v=<hash> (CSP allows only
 * same-origin files, so it cannot be inline). Pages work without it: Action
 * menus are <details> elements. With it they behave like menu buttons: one open
 * at a time; Escape (focus back on the button), a click outside or tabbing
 * away closes them; arrow keys, Home and End move between entries; and the
 * open list is placed within the screen (position: fixed), so neither the
 * page edge nor a scrolling box clips it.
 */
export const APP_JS = `'use strict'
;(() => {
  const openMenus = () => [...document.querySelectorAll('details.menu[open]')]
  const itemsOf = (menu) => [...menu.querySelectorAll('ul a, ul button')]
  const close = (menu, focus) => {
    menu.open = false
    if (focus) menu.querySelector('summary').focus()
  }
  const place = (menu) => {
    const list = menu.querySelector('ul')
    const button = menu.querySelector('summary').getBoundingClientRect()
    list.style.position = 'fixed'
    list.style.right = 'auto'
    list.style.bottom = 'auto'
    const { width, height } = list.getBoundingClientRect()
    const margin = 8
    const left = Math.min(Math.max(margin, button.right - width), window.innerWidth - width - margin)
    let top = button.bottom + 4
    if (top + height > window.innerHeight - margin && button.top - height - 4 >= margin) top = button.top - height - 4
    list.style.left = Math.max(margin, left) + 'px'
    list.style.top = top + 'px'
  }
  document.addEventListener('toggle', (event) => {
    const menu = event.target
    if (!(menu instanceof HTMLDetailsElement) || !menu.classList.contains('menu') || !menu.open) return
    for (const other of openMenus()) if (other !== menu) other.open = false
    place(menu)
  }, true)
  document.addEventListener('keydown', (event) => {
    const menu = openMenus()[0]
    if (!menu) return
    if (event.key === 'Escape') {
      event.preventDefault()
      close(menu, true)
      return
    }
    if (!menu.contains(document.activeElement)) return
    const items = itemsOf(menu)
    const at = items.indexOf(document.activeElement)
    const go = { ArrowDown: at + 1, ArrowUp: at < 0 ? items.length - 1 : at - 1, Home: 0, End: items.length - 1 }[event.key]
    if (go === undefined || !items.length) return
    event.preventDefault()
    items[(go + items.length) % items.length].focus()
  })
  document.addEventListener('click', (event) => {
    for (const menu of openMenus()) if (!menu.contains(event.target)) close(menu, false)
  })
  document.addEventListener('focusin', (event) => {
    for (const menu of openMenus()) if (!menu.contains(event.target)) close(menu, false)
  })
  const replace = () => { for (const menu of openMenus()) place(menu) }
  window.addEventListener('resize', replace)
  window.addEventListener('scroll', replace, { passive: true, capture: true })
})()
`

/** Changes whenever the script does, so it can be cached for good. */
export const APP_JS_VERSION = createHash('sha256').update(APP_JS).digest('hex').slice(0, 12)
