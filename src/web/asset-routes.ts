import type { Context, Hono } from 'hono'
import type { BundleFile } from '../store/store-types.ts'
import { APP_CSS, APP_CSS_VERSION } from './app-css.ts'
import { APP_JS, APP_JS_VERSION } from './app-js.ts'
import { contentTypeFor, DOWNLOAD_TYPE } from './content-types.ts'
import { frontendPaths } from './admin-snapshot.ts'
import { safeAssetPath } from './safe-asset-path.ts'
import { jsonError, type WebDeps } from './web-deps.ts'

const PLUGIN_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/
const FOREVER = 'max-age=31536000, immutable'

/** The still-encoded path of the request (Hono hands out a decoded one). */
function rawPathname(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2)
  const end = url.indexOf('?', start)
  return url.slice(start, end < 0 ? undefined : end)
}

/**
 * Which files of a bundle the browser may fetch: the manifest's frontend
 * entries and what sits beside them in their folders (images, fonts), never
 * the plugin's server code at the bundle root or plugin.json.
 */
function servable(files: BundleFile[], frontend: string[]): Map<string, BundleFile> {
  const dirs = frontend.map((f) => f.slice(0, f.lastIndexOf('/') + 1)).filter((d) => d !== '')
  return new Map(files.filter((f) => frontend.includes(f.path) || dirs.some((d) => f.path.startsWith(d))).map((f) => [f.path, f]))
}

/** The admin stylesheet and script, and plugin frontend files (/plugins/:name/assets/*). */
export function addAssetRoutes(app: Hono, deps: WebDeps): void {
  app.get('/static/app.css', (c) => {
    c.header('Cache-Control', c.req.query('v') === APP_CSS_VERSION ? `public, ${FOREVER}` : 'no-cache')
    c.header('Content-Type', 'text/css; charset=utf-8')
    return c.body(APP_CSS)
  })

  app.get('/static/app.js', (c) => {
    c.header('Cache-Control', c.req.query('v') === APP_JS_VERSION ? `public, ${FOREVER}` : 'no-cache')
    c.header('Content-Type', 'text/javascript; charset=utf-8')
    return c.body(APP_JS)
  })

  // Browsers ask for it on every page; without this the request would bounce to the sign-in page.
  app.get('/favicon.ico', (c) => c.body(null, 204, { 'Cache-Control': 'public, max-age=86400' }))

  app.get('/plugins/:name/assets/*', async (c) => {
    const [, , rawName = '', , ...rest] = rawPathname(c.req.url).split('/')
    let name: string
    try {
      name = decodeURIComponent(rawName)
    } catch {
      name = ''
    }
    if (!PLUGIN_NAME.test(name)) return c.json(jsonError('ASSET_PATH_REFUSED', `"${rawName}" is not a plugin name`), 400)
    const checked = safeAssetPath(rest.join('/'))
    if (!checked.ok)
      return c.json(
        jsonError(
          'ASSET_PATH_REFUSED',
          `asset path refused: ${checked.reason}. Frontend files are addressed by their path inside the plugin, e.g. /plugins/${name}/assets/frontend/init.js`,
        ),
        400,
      )
    const bundle = await bundleOf(deps, name)
    if (!bundle) return c.json(jsonError('ASSET_NOT_FOUND', `plugin "${name}" is not loaded here, so it serves no frontend files`), 404)
    const file = bundle.files.get(checked.path)
    if (!file) return c.json(jsonError('ASSET_NOT_FOUND', `plugin "${name}" has no frontend file "${checked.path}"`), 404)
    return sendBlob(c, deps, file)
  })
}

/** The frontend files of the version this process serves: the one it loaded, or (no loader) the store's current one. */
async function bundleOf(deps: WebDeps, name: string): Promise<{ files: Map<string, BundleFile> } | null> {
  if (deps.host) {
    const entry = deps.host.frontend().find((e) => e.plugin === name)
    if (!entry) return null
    const files = (await deps.store.bundle(entry.sha256))?.files ?? []
    return {
      files: servable(
        files,
        entry.files.map((f) => f.path),
      ),
    }
  }
  const p = (await deps.snapshots.get()).report.plugins.find((x) => x.name === name)
  if (!p || p.status === 'error') return null
  return { files: servable((await deps.store.bundle(p.sha256))?.files ?? [], frontendPaths(p.entry.manifest)) }
}

async function sendBlob(c: Context, deps: WebDeps, file: BundleFile) {
  const etag = `"${file.sha256}"`
  const cache = c.req.query('v') === file.sha256.slice(0, 12) ? `private, ${FOREVER}` : 'private, no-cache'
  if (c.req.header('if-none-match') === etag) return c.body(null, 304, { ETag: etag, 'Cache-Control': cache })
  const data = await deps.store.blob(file.sha256)
  if (!data) return c.json(jsonError('ASSET_NOT_FOUND', `the store lacks the contents of ${file.path} (blob ${file.sha256})`), 404)
  const type = contentTypeFor(file.path)
  const headers: Record<string, string> = { 'Content-Type': type, ETag: etag, 'Cache-Control': cache }
  if (type === DOWNLOAD_TYPE) headers['Content-Disposition'] = 'attachment'
  return c.body(new Uint8Array(data), 200, headers)
}
