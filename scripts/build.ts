// `npm run build`: dist/app, one Linux x64 executable (Node's single executable
// application), and dist/app.cjs, the same bundle for plain `node`. No network:
// esbuild, the pinned Node 24 binary, postject and better-sqlite3's prebuilt
// addon all come from node_modules.
import { createHash } from 'node:crypto'
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { ADDON_ASSET, BUNDLE_ASSET, ESBUILD_ASSET } from '../src/sea/runtime-mode.ts'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const DIST = join(ROOT, 'dist')
const require = createRequire(import.meta.url)
// The fuse Node's SEA support looks for (it is the same string in every Node release).
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'

const log = (msg: string) => process.stderr.write(`build: ${msg}\n`)
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

function fail(msg: string): never {
  process.stderr.write(`build: ${msg}\n`)
  process.exit(1)
}

if (process.versions.node.split('.')[0] !== '24') {
  fail(
    `running on Node ${process.versions.node}; the executable must embed the pinned Node 24. Run \`npm run build\` (it puts node_modules/.bin/node first on the PATH).`,
  )
}
if (process.platform !== 'linux' || process.arch !== 'x64') {
  fail(`building on ${process.platform}-${process.arch}; dist/app is a Linux x64 executable and must be built there.`)
}

const started = Date.now()
mkdirSync(DIST, { recursive: true })

// 1. The addon: better-sqlite3's own prebuilt binary for this platform.
const addonSrc = join(dirname(require.resolve('better-sqlite3/package.json')), 'prebuilds', 'linux-x64.node')
if (!existsSync(addonSrc)) fail(`better-sqlite3's prebuilt addon ${addonSrc} is missing; run \`npm ci\`.`)
const addon = readFileSync(addonSrc)
const addonSha256 = createHash('sha256').update(addon).digest('hex')
copyFileSync(addonSrc, join(DIST, 'better_sqlite3.node'))

// 1b. esbuild's own executable (the TypeScript compiler of the scheduler's publish step), from its
// platform package: beside dist/app.cjs, and embedded in dist/app, so an air-gapped host needs no compiler.
const esbuildSrc = join(dirname(require.resolve('@esbuild/linux-x64/package.json')), 'bin', 'esbuild')
if (!existsSync(esbuildSrc)) fail(`esbuild's executable ${esbuildSrc} is missing; run \`npm ci\`.`)
const esbuildSha256 = createHash('sha256').update(readFileSync(esbuildSrc)).digest('hex')
copyFileSync(esbuildSrc, join(DIST, 'esbuild'))
chmodSync(join(DIST, 'esbuild'), 0o755)

// 2. The bundle. CommonJS because a SEA main script must be; import.meta.url is
// rebuilt from __filename (the executable itself inside the SEA).
const bundleFile = join(DIST, 'app.cjs')
await build({
  entryPoints: [join(ROOT, 'src/main/bundle-main.ts')],
  outfile: bundleFile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node24',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  // esbuild's own API (bundled for the TypeScript compile step) has a require.resolve('esbuild') that only
  // runs without ESBUILD_BINARY_PATH, which the bundle always sets (src/sea/esbuild-binary.ts).
  logOverride: { 'require-resolve-not-external': 'silent' },
  define: {
    __APP_BUNDLE__: JSON.stringify({ nativeSha256: addonSha256, esbuildSha256 }),
    // What `app plugin init` writes into a plugin folder (src/sdk/sdk-declarations.ts).
    __APP_SDK_TYPES__: JSON.stringify({
      plugin: readFileSync(join(ROOT, 'types/plugin.d.ts'), 'utf8'),
      honoLite: readFileSync(join(ROOT, 'types/hono-lite.d.ts'), 'utf8'),
      testing: readFileSync(join(ROOT, 'types/plugin-testing.d.ts'), 'utf8'),
    }),
    'import.meta.url': '__app_import_meta_url',
    'import.meta.filename': '__filename',
    'import.meta.dirname': '__dirname',
  },
  banner: { js: 'var __app_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
}).catch(() => fail('esbuild could not bundle src/main/bundle-main.ts (errors above)'))
log(`bundle ${bundleFile} ${mib(statSync(bundleFile).size)}`)

// 3. The SEA blob: bundle + V8 code cache + assets (the addon, esbuild, and the bundle again for worker threads).
const seaConfig = join(DIST, 'sea-config.json')
const blob = join(DIST, 'app.blob')
writeFileSync(
  seaConfig,
  JSON.stringify(
    {
      main: bundleFile,
      output: blob,
      disableExperimentalSEAWarning: true,
      useCodeCache: true,
      assets: { [ADDON_ASSET]: addonSrc, [BUNDLE_ASSET]: bundleFile, [ESBUILD_ASSET]: esbuildSrc },
    },
    null,
    2,
  ),
)
const sea = spawnSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: ['ignore', 'pipe', 'pipe'] })
if (sea.status !== 0) fail(`node --experimental-sea-config ${seaConfig} exited ${sea.status}:\n${sea.stdout}${sea.stderr}`)

// 4. A copy of this Node binary, without debug symbols when `strip` exists (about 18 MiB less), plus the blob.
const tmp = join(DIST, 'app.tmp')
rmSync(tmp, { force: true })
copyFileSync(process.execPath, tmp)
chmodSync(tmp, 0o755)
const strip = spawnSync('strip', [tmp], { stdio: ['ignore', 'ignore', 'pipe'] })
if (strip.error || strip.status !== 0)
  log(`strip not available or failed (${strip.error?.message ?? strip.stderr.toString().trim()}); keeping the debug symbols`)
const { inject } = require('postject') as {
  inject(file: string, name: string, data: Buffer, options: { sentinelFuse: string }): Promise<void>
}
// postject prints a harmless ELF note warning; keep it off the console.
const warn = console.warn
console.warn = () => {}
try {
  await inject(tmp, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: SEA_FUSE })
} finally {
  console.warn = warn
}
renameSync(tmp, join(DIST, 'app'))
rmSync(blob, { force: true })
rmSync(seaConfig, { force: true })

log(
  `dist/app ${mib(statSync(join(DIST, 'app')).size)} (node ${process.versions.node}, better-sqlite3 addon ${addonSha256.slice(0, 12)}, esbuild ${esbuildSha256.slice(0, 12)}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
)
