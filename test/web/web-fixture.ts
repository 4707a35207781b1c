import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Hono } from 'hono'
import { loadPlugins } from '../../src/loader/create-plugin-host.ts'
import { openRuntimeDb } from '../../src/runtime/open-runtime.ts'
import { openReadonlyStore } from '../../src/store/open-store.ts'
import { createWebApp, type WebAppOptions } from '../../src/web/create-web-app.ts'
import { allowedHostNames } from '../../src/web/host-allowlist.ts'
import { ROOT, manifest, tempDir, writePlugin } from '../helpers/cli.ts'
import { publishInProcess } from '../helpers/publish.ts'

export const TOKEN = 'test-admin-token-0123456789abcdef'
export const bearer = { Authorization: `Bearer ${TOKEN}` }

/** A plugin that never validates, with hostile text in the places an operator reads. */
export function writeBrokenPlugin(pluginsDir: string): void {
  writePlugin(
    pluginsDir,
    'broken-plugin',
    manifest('broken-plugin', {
      modules: ['missing<script>alert(1)</script>.js'],
      metadata: {
        nickname: 'Broken',
        description: 'Says <script>alert("pwned")</script> and \u202Egnp.exe\u202C',
        author: '<b>Mallory</b>',
        supportUrl: 'javascript:alert(1)',
      },
    }),
    { 'index.js': 'export function load() {}' },
  )
}

/** The fixture's plugins folder: the samples, the broken one, and what the test adds. */
function writeFixturePlugins(plugins: string, extra?: (dir: string) => void): void {
  cpSync(join(ROOT, 'plugins'), plugins, { recursive: true })
  writeBrokenPlugin(plugins)
  extra?.(plugins)
}

/** The sample plugins and the broken one, published once per test file (each file runs in a process of its own). */
let published: Promise<string> | null = null
function publishedOnce(): Promise<string> {
  published ??= (async () => {
    const root = mkdtempSync(join(tmpdir(), 'app-web-published-'))
    process.once('exit', () => rmSync(root, { recursive: true, force: true }))
    writeFixturePlugins(join(root, 'plugins'))
    await publishInProcess(join(root, 'data'), join(root, 'plugins'))
    return root
  })()
  return published
}

/**
 * A data directory published by the real publish pass of `app plugins sync` (sample plugins
 * plus a broken one), read through a real read-only store and runtime.db. Each test gets its own copy of
 * one publish per file (the publish closed every connection, so the files are whole), unless it adds plugins.
 */
export async function webFixture(
  t: { onTestFinished(fn: () => unknown): void },
  options: Partial<WebAppOptions> & { extraPlugins?: (dir: string) => void } = {},
) {
  const root = tempDir(t, 'app-web-')
  const plugins = join(root, 'plugins')
  const data = join(root, 'data')
  if (options.extraPlugins) {
    writeFixturePlugins(plugins, options.extraPlugins)
    await publishInProcess(data, plugins)
  } else cpSync(await publishedOnce(), root, { recursive: true })
  const store = await openReadonlyStore(data)
  const runtime = openRuntimeDb(data)
  t.onTestFinished(async () => {
    runtime.close()
    await store.close()
  })
  const app = createWebApp({ store, runtime, token: TOKEN, allowedHosts: allowedHostNames('127.0.0.1'), ...options })
  /** The same data served by a web app with the current generation's plugins really loaded (the loader). */
  const withLoadedPlugins = async () => {
    const host = await loadPlugins({ generation: await store.currentGeneration(), store, dataDir: data, services: null })
    t.onTestFinished(async () => {
      await host.unloadAll()
    })
    const loaded = createWebApp({ store, runtime, token: TOKEN, allowedHosts: allowedHostNames('127.0.0.1'), ...options, host })
    return { host, app: loaded, ...requests(loaded) }
  }
  return { root, plugins, data, store, runtime, app, withLoadedPlugins, ...requests(app) }
}

export function requests(app: Hono) {
  const get = (path: string, headers: Record<string, string> = bearer) => app.request(path, { headers })
  return {
    get,
    /** Signs in through the login form (its CSRF cookie, the admin token, an optional name); returns the session cookie. */
    async signIn(name?: string): Promise<string> {
      const form = await get('/login', {})
      const csrf = form.headers.get('set-cookie')!.match(/app_login_csrf=([^;]+)/)![1]!
      const res = await app.request('/login', {
        method: 'POST',
        body: new URLSearchParams({ token: TOKEN, csrf, ...(name === undefined ? {} : { name }) }),
        headers: { Cookie: `app_login_csrf=${csrf}` },
      })
      return res.headers
        .getSetCookie()
        .find((c) => c.startsWith('app_session='))!
        .split(';')[0]!
    },
    /** GET with the bearer token; asserts the status and returns the body text. */
    async text(path: string, status = 200) {
      const res = await get(path)
      const body = await res.text()
      assert.equal(res.status, status, `${path}: ${body.slice(0, 300)}`)
      return body
    },
    async json<T = Record<string, unknown>>(path: string, status = 200): Promise<T> {
      const res = await get(path)
      assert.equal(res.status, status, path)
      assert.match(res.headers.get('content-type') ?? '', /application\/json/)
      return (await res.json()) as T
    },
  }
}
