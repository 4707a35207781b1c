// A full disk, for real: a 4 MiB tmpfs data dir in a private mount namespace (no root, nothing else
// affected), filled with a filler file. A publish that runs out of room fails with a clear message and
// gives its space back (WAL truncated, cache collected), the previous generation stays intact, commands
// that meet the full disk say what is full and what to delete, and once the filler is deleted a scheduler
// restarts and publishes. Everything runs in one shell script: the mount exists only inside it.
import assert from 'node:assert/strict'
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { APP_BIN, ROOT, tempDir } from '../helpers/cli.ts'
import { SEED_BOT } from '../helpers/seed-bot.ts'
import { shellInTmpfs } from './mount-namespace.ts'

const KiB = 1024

const SCRIPT = String.raw`
D="$MNT/data"
app() { "$NODE" "$APP" "$@" --data-dir "$D" --plugins-dir "$PLUGINS"; }
# scheduler LOG: starts one in the background (node itself, so that $! is its pid)
scheduler() { APP_LOG_LEVEL=info "$NODE" "$APP" --role=scheduler --data-dir "$D" --plugins-dir "$PLUGINS" >"$1" 2>&1 & }
# step NAME command...: its stdout, stderr and exit code into $OUT/NAME.{out,err,code}
step() { name=$1; shift; "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"; echo $? >"$OUT/$name.code"; }
# until_log FILE PATTERN: polls (up to 90 s) until the log holds the pattern
until_log() { i=0; while ! grep -q "$2" "$1"; do i=$((i+1)); [ $i -gt 900 ] && return 1; sleep 0.1; done; }
free() { echo $(( $(stat -f -c %a "$MNT") * $(stat -f -c %S "$MNT") )); }
fill() { head -c $(( $(free) - $2 )) /dev/zero >"$MNT/$1" 2>/dev/null; true; }
size() { stat -c %s "$1" 2>/dev/null || echo 0; }

step sync app plugins sync
step import app resources import "$RESOURCES"
step apply app bots apply "$BOTS"
scheduler "$OUT/scheduler1.log"
pid=$!
until_log "$OUT/scheduler1.log" 'scheduler started'
fill filler "$KEEP"
echo "$(free)" >"$OUT/free-before"
# Copied beside the plugins dir, then renamed in: the scheduler (APP_SETTLE_MS is 0) never sees a half-copied plugin.
cp -r "$BIG" "$PLUGINS.big" && mv "$PLUGINS.big" "$PLUGINS/big"
until_log "$OUT/scheduler1.log" 'plugin sync failed'
# The failed publish gave its space back while the scheduler kept running. A file event that comes late starts
# one more pass, which fails the same way: wait until the cache has held only the published bundles for a second.
bundles() { ls "$D/cache" | grep -c '^[0-9a-f]\{64\}$'; }
i=0; stable=0
while [ $stable -lt 10 ] && [ $i -lt 300 ]; do
  i=$((i+1)); if [ "$(bundles)" = 3 ]; then stable=$((stable+1)); else stable=0; fi; sleep 0.1
done
size "$D/plugins.db-wal" >"$OUT/wal-after-failure"
ls "$D/cache" >"$OUT/cache-after-failure"
echo "$(free)" >"$OUT/free-after-failure"
kill -TERM $pid; wait $pid; echo $? >"$OUT/scheduler1.code"
step list app plugins list --json
step doctor app doctor --json

# Now nothing at all is free: every command that must write says so clearly.
fill filler2 0
step import-full app resources import "$RESOURCES_CHANGED"
step botrun-full app bots run start-stopped-prod
step scheduler-full timeout 30 "$NODE" "$APP" --role=scheduler --data-dir "$D" --plugins-dir "$PLUGINS"

rm -f "$MNT/filler" "$MNT/filler2"
scheduler "$OUT/scheduler2.log"
pid=$!
until_log "$OUT/scheduler2.log" 'scheduler started'
kill -TERM $pid; wait $pid; echo $? >"$OUT/scheduler2.code"
step list-after app plugins list --json
step doctor-after app doctor --json
`

// The script's own waits (two 90 s log waits, a 30 s cache wait, a 30 s scheduler timeout) can outlast the default
// 120 s on a loaded machine: give it room, so a slow run finishes and a wrong one fails on its assertion, not a timeout.
test('a full data dir: the publish fails clearly and gives its space back, the old generation stays intact, and after freeing space a scheduler restarts and publishes', {
  timeout: 300_000,
}, async (t) => {
  const root = tempDir(t)
  const mount = join(root, 'small')
  const out = join(root, 'out')
  const plugins = join(root, 'plugins')
  const big = join(root, 'big-src')
  for (const d of [mount, out, big]) mkdirSync(d)
  cpSync(join(ROOT, 'plugins'), plugins, { recursive: true })
  // 600 KiB that does not compress: the dry run can write it into the cache, the publish cannot also fit it in the WAL.
  writeFileSync(join(big, 'plugin.json'), JSON.stringify({ name: 'big', version: '1.0.0', apiVersion: 1, modules: ['index.js'] }))
  writeFileSync(join(big, 'index.js'), 'export function load() {}\n')
  writeFileSync(join(big, 'data.bin'), Buffer.from(Array.from({ length: 600 * KiB }, (_, i) => (i * 2654435761) >>> 24)))
  writeFileSync(join(root, 'bots.json'), JSON.stringify([{ ...SEED_BOT, schedule: undefined }]))
  // Imports merge: the same file again writes nothing. Changed rows need room on the full disk.
  const resources = JSON.parse(readFileSync(join(ROOT, 'examples/resources.json'), 'utf8')) as Array<{ tags: Record<string, string> }>
  writeFileSync(
    join(root, 'resources-changed.json'),
    JSON.stringify(resources.map((r) => ({ ...r, tags: { ...r.tags, touched: 'x'.repeat(4096) } }))),
  )

  const r = await shellInTmpfs('size=4m', mount, SCRIPT, {
    NODE: process.execPath,
    APP: APP_BIN,
    PLUGINS: plugins,
    BIG: big,
    OUT: out,
    KEEP: String(900 * KiB),
    RESOURCES: join(ROOT, 'examples/resources.json'),
    RESOURCES_CHANGED: join(root, 'resources-changed.json'),
    BOTS: join(root, 'bots.json'),
    APP_LOG_LEVEL: 'warn',
    APP_SETTLE_MS: '0',
    HOME: root,
  })
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`)
  const read = (name: string) => readFileSync(join(out, name), 'utf8')
  const step = (name: string) => ({ code: Number(read(`${name}.code`)), out: read(`${name}.out`), err: read(`${name}.err`) })
  for (const name of ['sync', 'import', 'apply']) assert.equal(step(name).code, 0, step(name).err)

  // The publish that ran out of room: a clear message in the scheduler's log, no stack.
  const log1 = read('scheduler1.log')
  const failed = log1.split('\n').find((l) => l.includes('plugin sync failed'))
  assert.ok(failed, `the scheduler logged "plugin sync failed":\n${log1}`)
  assertClearDiskFull(JSON.parse(failed).msg, mount)
  assert.match(JSON.parse(failed).msg, /It needed about \d/, 'says about how much was needed')
  assert.doesNotMatch(failed, /"stack"/)
  // ...and gave the space back at once: WAL truncated, the candidate's cache dir removed.
  assert.equal(Number(read('wal-after-failure')), 0, 'plugins.db-wal truncated after the failed publish')
  assert.equal(
    read('cache-after-failure')
      .split('\n')
      .filter((n) => /^[0-9a-f]{64}$/.test(n)).length,
    3,
    `only the published bundles stay: ${read('cache-after-failure')}\n${log1}`,
  )
  assert.ok(
    Number(read('free-after-failure')) >= Number(read('free-before')) - 64 * KiB,
    `free space came back: before ${read('free-before')}, after ${read('free-after-failure')}`,
  )
  assert.equal(Number(read('scheduler1.code')), 0, log1)

  // The previous generation is intact.
  assert.deepEqual((JSON.parse(step('list').out).plugins as Array<{ name: string }>).map((p) => p.name).sort(), [
    'instance-type-blacklist',
    'ops-banner',
    'start-resource-later',
  ])
  const integrity = (JSON.parse(step('doctor').out).checks as Array<{ name: string; status: string }>).find(
    (c) => c.name === 'plugins.db integrity',
  )
  assert.equal(integrity?.status, 'ok')

  // Commands on a disk with nothing free: exit 1, what is full and what to delete, never "unexpected error".
  for (const name of ['import-full', 'botrun-full', 'scheduler-full']) {
    const s = step(name)
    assert.equal(s.code, 1, `${name}: ${s.out}${s.err}`)
    assertClearDiskFull(s.err, mount)
  }

  // Space freed: a scheduler starts and publishes the plugin that did not fit.
  assert.equal(Number(read('scheduler2.code')), 0, read('scheduler2.log'))
  assert.match(read('scheduler2.log'), /published plugin generation/)
  assert.ok((JSON.parse(step('list-after').out).plugins as Array<{ name: string }>).some((p) => p.name === 'big'))
  const after = (JSON.parse(step('doctor-after').out).checks as Array<{ name: string; status: string }>).find(
    (c) => c.name === 'plugins.db integrity',
  )
  assert.equal(after?.status, 'ok')
})

function assertClearDiskFull(text: string, mount: string): void {
  assert.doesNotMatch(text, /unexpected error/)
  assert.doesNotMatch(text, /^\s+at /m, 'no stack')
  assert.match(text, /no space left to write /)
  assert.match(text, new RegExp(`tmpfs filesystem mounted at ${mount} has [\\d.]+ (bytes|KiB) free of 4\\.0 MiB`))
  assert.match(text, new RegExp(`delete ${mount}/data/cache \\(`))
  assert.match(text, /keepGenerations/)
  assert.match(text, /truncated when the scheduler restarts/)
}
