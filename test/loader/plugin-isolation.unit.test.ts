// Isolation between plugins: plugin B tries every way we could think of to get plugin A's SDK or to register
// under A's name, at load time, in the publish dry run and in a real load; every attempt fails, and A keeps
// exactly what it registered. A is careless on purpose: it leaves its SDK on globalThis.
import assert from 'node:assert/strict'
import { pino } from 'pino'
import { test } from 'vitest'
import { writePlugin } from '../helpers/cli.ts'
import { installWith, loadCurrent, publish } from './loader-helpers.ts'

const A = `const sdk = require('app/plugin')
const { QueryRegistry, Hono, registerApiBlueprint } = sdk
exports.load = () => {
  QueryRegistry.register({ queryId: 'iso.a.filter' }, () => true)
  const app = new Hono()
  app.get('/mine', (c) => c.text('a'))
  registerApiBlueprint(app)
  globalThis.__isoLeakA = sdk // careless: its SDK where any code can read it
  // Called later with no plugin context (host code emits): its own registration still counts as its own.
  process.on('iso-ping', onPing)
}
function onPing() { QueryRegistry.register({ queryId: 'iso.a.from_listener' }, () => true) }
exports.unload = () => { delete globalThis.__isoLeakA; process.off('iso-ping', onPing) }
`

const B = `import { createRequire } from 'node:module'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import vm from 'node:vm'
import * as own from 'app/plugin'

const results = []
const isSdk = (v) => !!v && typeof v === 'object' && typeof v.QueryRegistry?.register === 'function'
const isForeignSdk = (v) => isSdk(v) && v.QueryRegistry !== own.QueryRegistry
function findSdk(v, depth = 0) {
  if (isForeignSdk(v)) return v
  if (depth > 1 || !v || (typeof v !== 'object' && typeof v !== 'function')) return null
  const values = v instanceof Map ? [...v.values()] : Array.isArray(v) ? v : []
  for (const x of values) { const found = findSdk(x, depth + 1); if (found) return found }
  return null
}
async function attempt(name, fn) {
  try {
    const got = await fn()
    results.push({ name, outcome: findSdk(got) ? 'GOT ANOTHER PLUGIN SDK' : got === 'registered' ? 'REGISTERED' : 'nothing found' })
  } catch (error) {
    results.push({ name, outcome: 'refused: ' + String(error?.message ?? error).slice(0, 2000) })
  }
}

export async function load() {
  own.QueryRegistry.register({ queryId: 'iso.b.filter' }, () => false)
  own.log.info({ plugin: 'iso-a', version: '9.9.9' }, 'B pretending to be A')
  console.log('B on the console')

  const here = fileURLToPath(import.meta.url)
  const cacheDir = dirname(dirname(here))
  const dirA = readdirSync(cacheDir).map((d) => join(cacheDir, d)).find((d) => {
    try { return JSON.parse(readFileSync(join(d, 'plugin.json'), 'utf8')).name === 'iso-a' } catch { return false }
  }) ?? join(cacheDir, 'no-such-dir')
  const fileA = join(dirA, 'index.cjs')
  const ownUrl = import.meta.resolve('app/plugin')
  const ownId = new URL(ownUrl).searchParams.get('id')
  const req = createRequire(import.meta.url)
  const leak = globalThis.__isoLeakA

  await attempt('the old global map (Symbol.for app.plugin.sdk)', () => globalThis[Symbol.for('app.plugin.sdk')])
  await attempt('every global property and symbol', () => Reflect.ownKeys(globalThis).filter((k) => k !== '__isoLeakA').map((k) => { try { return globalThis[k] } catch { return null } }))
  await attempt('every global function named like an SDK, called with its own SDK id and with guessed ids', () => {
    for (const k of Reflect.ownKeys(globalThis)) {
      const f = globalThis[k]
      if (typeof f !== 'function' || !/sdk|plugin/i.test(String(k))) continue
      if (f(ownId)?.QueryRegistry !== own.QueryRegistry) return 'GOT ANOTHER PLUGIN SDK for its own id'
      for (const guess of ['1', '2', ownId.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')), crypto.randomUUID()]) f(guess)
      return 'nothing refused'
    }
  })
  await attempt('import() of the SDK module URL by a guessed id', () => import('app-plugin:sdk?id=1&format=module'))
  await attempt('import() of its own SDK module URL', () => import(ownUrl))
  await attempt('require() of an SDK module URL', () => req('app-plugin:sdk?id=1&format=commonjs'))
  await attempt('import() of A\\'s module file', () => import(pathToFileURL(fileA).href))
  await attempt('require() of A\\'s helper file', () => req(join(dirA, 'helper.cjs')))
  await attempt('require() of A\\'s helper file through a parent outside any plugin', () => createRequire('/tmp/not-a-plugin.js')(join(dirA, 'helper.cjs')))
  await attempt('createRequire(A\\'s file)(app/plugin)', () => createRequire(fileA)('app/plugin'))
  await attempt('createRequire(A\\'s file).resolve(app/plugin), to learn A\\'s SDK id', () => createRequire(fileA).resolve('app/plugin'))
  await attempt('createRequire(A\\'s file) called from a promise reaction (no frame of B on the stack)', () => Promise.resolve('app/plugin').then(createRequire(fileA)))
  await attempt('Module._load with a forged parent in A\\'s folder', () => {
    const Module = req('node:module')
    const parent = new Module(fileA)
    parent.filename = fileA
    parent.paths = []
    return Module._load('app/plugin', parent, false)
  })
  await attempt('vm script named as A\\'s file importing app/plugin', () => vm.runInThisContext("import('app/plugin')", { filename: pathToFileURL(fileA).href, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER }))
  await attempt('a file written into A\\'s folder, then imported', () => {
    writeFileSync(join(dirA, 'steal.mjs'), "export * as sdk from 'app/plugin'\\n")
    return import(pathToFileURL(join(dirA, 'steal.mjs')).href)
  })
  await attempt('require.cache and module.children', () => Object.values(req.cache).flatMap((m) => [m?.exports, ...(m?.children ?? []).map((c) => c.exports)]))
  await attempt('registerApiBlueprint under another name', () => { own.registerApiBlueprint(new own.Hono(), { name: 'iso-a' }); return 'registered' })

  // A's SDK itself, leaked by A: registrations through it are still refused, whoever's stack or context.
  await attempt('leaked SDK: QueryRegistry.register', () => { leak.QueryRegistry.register({ queryId: 'iso.stolen.direct' }, () => true); return 'registered' })
  await attempt('leaked SDK: register from a promise reaction (no frame of B)', async () => { await Promise.resolve().then(leak.QueryRegistry.register.bind(null, { queryId: 'iso.stolen.detached' }, () => true)); return 'registered' })
  await attempt('leaked SDK: registerApiBlueprint', () => { const app = new own.Hono(); app.get('/stolen', (c) => c.text('b')); leak.registerApiBlueprint(app); return 'registered' })
  await attempt('leaked SDK: a bot action', () => { new leak.BotFactoryRegistryWrapper().action({ uid: 'iso.stolen.action' }, () => {}).load(); return 'registered' })
  await attempt('leaked SDK: an event type', () => { leak.ScheduledEventManager.register('iso.stolen.event', () => {}); return 'registered' })
  await attempt('leaked SDK: called from a vm script named as A\\'s file', () => { vm.runInThisContext("globalThis.__isoLeakA.QueryRegistry.register({ queryId: 'iso.stolen.vm' }, () => true)", { filename: fileA }); return 'registered' })
  globalThis.__isoResults = results
  process.on('iso-ping', onPing)
}
// Runs when host code emits, outside any plugin context: only the stack shows whose code calls.
function onPing() {
  try { globalThis.__isoLeakA.QueryRegistry.register({ queryId: 'iso.stolen.listener' }, () => true); globalThis.__isoListener = 'REGISTERED' }
  catch (error) { globalThis.__isoListener = 'refused: ' + error.message }
}
export function unload() { process.off('iso-ping', onPing) }
`

test("plugin B cannot get plugin A's SDK nor register anything under A's name, however it tries", async (t) => {
  const { root, pluginsDir, dataDir } = installWith(t, [])
  writePlugin(
    pluginsDir,
    'iso-a',
    { name: 'iso-a', version: '1.0.0', apiVersion: 1, modules: ['index.cjs'] },
    { 'index.cjs': A, 'helper.cjs': "module.exports = require('app/plugin')\n" },
  )
  writePlugin(pluginsDir, 'iso-b', { name: 'iso-b', version: '1.0.0', apiVersion: 1, modules: ['index.mjs'] }, { 'index.mjs': B })
  await publish(root)
  const lines: Array<Record<string, unknown>> = []
  const logger = pino(
    { level: 'debug' },
    {
      write: (line: string) => {
        lines.push(JSON.parse(line))
      },
    },
  )
  const { host } = await loadCurrent(t, dataDir, { logger })
  t.onTestFinished(() => {
    delete (globalThis as Record<string, unknown>).__isoResults
  })

  assert.deepEqual(
    host.reports().map((r) => [r.plugin, r.status, r.warnings.map((w) => w.code)]),
    [
      ['iso-a', 'loaded', []],
      ['iso-b', 'loaded', []],
    ],
  )
  const results = (globalThis as unknown as { __isoResults: Array<{ name: string; outcome: string }> }).__isoResults
  assert.equal(results.length, 23, JSON.stringify(results, null, 1))
  const by = Object.fromEntries(results.map((r) => [r.name, r.outcome]))
  for (const r of results) assert.doesNotMatch(r.outcome, /GOT|REGISTERED/, `${r.name}: ${r.outcome}`)
  // Where nothing can be found there is nothing to refuse; everything else is refused by the host, saying why.
  for (const name of [
    'the old global map (Symbol.for app.plugin.sdk)',
    'every global property and symbol',
    'require.cache and module.children',
  ])
    assert.equal(by[name], 'nothing found', name)
  // Refused by the isolation check, or (an import from B's own files) by the import rule every install applies.
  const importRefused =
    /^refused: plugin "iso-b":? (.*refused\. A plugin imports only app\/plugin \(its own SDK\), Node built-ins and its own files \(bundle a dependency into the plugin.s folder\)\.|.*which is not a file of the plugin\. Plugins import only app\/plugin, Node built-ins and their own files)/
  for (const name of [
    'import() of the SDK module URL by a guessed id',
    'import() of its own SDK module URL',
    'require() of an SDK module URL',
    "import() of A's module file",
    "require() of A's helper file",
    "require() of A's helper file through a parent outside any plugin",
    "createRequire(A's file)(app/plugin)",
    "createRequire(A's file).resolve(app/plugin), to learn A's SDK id",
    "createRequire(A's file) called from a promise reaction (no frame of B on the stack)",
    "Module._load with a forged parent in A's folder",
    "vm script named as A's file importing app/plugin",
  ])
    assert.match(by[name]!, importRefused, name)
  assert.match(
    by['every global function named like an SDK, called with its own SDK id and with guessed ids']!,
    /^refused: app\/plugin: an SDK is handed only to the plugin that imports app\/plugin from its own files/,
  )
  assert.match(
    by["a file written into A's folder, then imported"]!,
    /^refused: (plugin "iso-b" imports .*steal\.mjs.*outside its own folder|plugin "iso-b": .*steal\.mjs", which is not a file of the plugin|EACCES)/,
  )
  assert.match(
    by['registerApiBlueprint under another name']!,
    /unknown option "name"; the only option is "public" \(routes are always mounted at \/plugin\/<this plugin's name>\)/,
  )
  for (const [name, what] of [
    ['leaked SDK: QueryRegistry.register', 'filter \\(QueryRegistry\\) "iso.stolen.direct"'],
    ['leaked SDK: register from a promise reaction (no frame of B)', 'filter \\(QueryRegistry\\) "iso.stolen.detached"'],
    ['leaked SDK: registerApiBlueprint', 'API blueprint "\\d+"'],
    ['leaked SDK: a bot action', 'bot action "iso.stolen.action"'],
    ['leaked SDK: an event type', 'event type "iso.stolen.event"'],
    ["leaked SDK: called from a vm script named as A's file", 'filter \\(QueryRegistry\\) "iso.stolen.vm"'],
  ]) {
    assert.match(
      by[name!]!,
      new RegExp(
        `^refused: plugin "iso-b" tried to register the ${what} through the SDK of plugin "iso-a": refused\\. A plugin registers only under its own name`,
      ),
      name,
    )
  }

  // A listener called by host code, in no plugin context: B's is refused by its frame on the stack, A's own goes through.
  process.emit('iso-ping' as never)
  assert.match(
    String((globalThis as Record<string, unknown>).__isoListener),
    /^refused: plugin "iso-b" tried to register the filter \(QueryRegistry\) "iso\.stolen\.listener" through the SDK of plugin "iso-a"/,
  )
  delete (globalThis as Record<string, unknown>).__isoListener

  // A holds exactly its own; nothing is held under A's name that A did not register.
  assert.deepEqual(host.queries.ids(), ['iso.a.filter', 'iso.a.from_listener', 'iso.b.filter'])
  assert.equal(host.queries.get('iso.a.filter')?.plugin, 'iso-a')
  assert.deepEqual([host.actions.ids(), host.eventTypes.ids()], [[], []])
  assert.deepEqual(
    host.blueprints().map((b) => [b.plugin, b.app.routes.map((r) => r.path)]),
    [['iso-a', ['/mine']]],
  )
  assert.deepEqual(host.registered('iso-a')?.routes, ['GET /plugin/iso-a/mine'])

  // B's log lines are B's, whatever fields it passes; so is its console output.
  const pretend = lines.find((l) => l.msg === 'B pretending to be A')
  assert.deepEqual([pretend?.plugin, pretend?.version], ['iso-b', '1.0.0'])
  const consoleLine = lines.find((l) => l.msg === 'B on the console')
  assert.deepEqual([consoleLine?.plugin, consoleLine?.version, consoleLine?.console], ['iso-b', '1.0.0', 'log'])
})
