// `app plugin dev`'s copy of the author's folder, on real folders with no watcher: a file written into a folder
// just after the copy that made it (what chokidar can miss) still reaches the copy without another event, and an
// idle folder is then left alone.
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'vitest'
import { createFolderMirror } from '../../src/authoring/mirror-folder.ts'
import { createMirrorSchedule } from '../../src/authoring/mirror-schedule.ts'
import { tempDir } from '../helpers/cli.ts'
import { waitUntil } from '../helpers/wait-until.ts'

test('a file written into a new folder after its copy reaches the copy with no further watcher event; then the copying stops', async (t) => {
  const root = tempDir(t)
  const source = join(root, 'my-plugin')
  const target = join(root, 'data', 'plugins', 'my-plugin')
  mkdirSync(source)
  writeFileSync(join(source, 'index.js'), 'export function load() {}\n')
  const mirror = createFolderMirror(source, target)
  let copies = 0
  const errors: Error[] = []
  const schedule = createMirrorSchedule(
    () => {
      copies++
      return mirror()
    },
    (e) => errors.push(e),
  )
  t.onTestFinished(() => schedule.stop())

  mkdirSync(join(source, 'lib'))
  schedule.changed() // the watcher reports the new folder, and nothing after it
  await waitUntil('lib/ to be copied', () => existsSync(join(target, 'lib')), 5000, 10)
  writeFileSync(join(source, 'lib', 'util.js'), 'export const answer = 42\n')
  await waitUntil('lib/util.js to be copied', () => existsSync(join(target, 'lib', 'util.js')), 5000)
  assert.equal(readFileSync(join(target, 'lib', 'util.js'), 'utf8'), 'export const answer = 42\n')
  assert.equal(readFileSync(join(target, 'index.js'), 'utf8'), 'export function load() {}\n')

  // A copy that finds nothing new is the last one.
  await new Promise((r) => setTimeout(r, 1500))
  const settled = copies
  await new Promise((r) => setTimeout(r, 2000))
  assert.equal(copies, settled, 'no copying while the folder is idle')
  assert.deepEqual(errors, [])
})
