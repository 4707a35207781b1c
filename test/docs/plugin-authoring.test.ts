// docs/plugin-authoring.md runs: every js, ts and json example in it is a file of an example plugin, marked
// ```<lang> test plugin=<name> file=<path> (`single`: a single-file plugin). Each plugin is written out from the
// page, published and loaded the way the scheduler and a worker would (createTestHost), and its own tests, also
// from the page, pass under `app plugin test`. An example without the mark fails here: none goes untried.
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, test } from 'vitest'
import { createTestHost } from '../../src/testing/create-test-host.ts'
import { ROOT, runCli, tempDir } from '../helpers/cli.ts'

const DOC = join(ROOT, 'docs/plugin-authoring.md')

interface Example {
  lang: string
  line: number
  code: string
  plugin?: string
  file?: string
  single: boolean
  marked: boolean
}

/** The fenced code blocks of a markdown page, indented ones (in a list item) included. */
function examples(text: string): Example[] {
  const out: Example[] = []
  const fence = /^( *)```(\w+)?([^\n]*)\n([\s\S]*?)^\1```[ \t]*$/gm
  for (const m of text.matchAll(fence)) {
    const [, indent, lang = '', info = '', body = ''] = m
    const words = info.trim().split(/\s+/).filter(Boolean)
    const attr = (key: string) => words.find((w) => w.startsWith(`${key}=`))?.slice(key.length + 1)
    out.push({
      lang,
      line: text.slice(0, m.index).split('\n').length,
      code: body
        .split('\n')
        .map((l) => l.slice(indent!.length))
        .join('\n'),
      plugin: attr('plugin'),
      file: attr('file'),
      single: words.includes('single'),
      marked: words.includes('test'),
    })
  }
  return out
}

const page = readFileSync(DOC, 'utf8')
const all = examples(page)
const code = all.filter((e) => ['js', 'ts', 'json', 'mjs', 'cjs', 'mts'].includes(e.lang))
const plugins = new Map<string, Example[]>()
for (const e of code.filter((x) => x.marked && x.plugin)) plugins.set(e.plugin!, [...(plugins.get(e.plugin!) ?? []), e])

test('every js, ts and json example of the page is a file of an example plugin (```<lang> test plugin=<name> file=<path>)', () => {
  const fences = page.match(/^ *```(js|ts|json|mjs|cjs|mts)\b/gm) ?? []
  assert.equal(code.length, fences.length, 'every opening fence of a code example was read as one example')
  const untried = code.filter((e) => !e.marked || !e.plugin || !e.file).map((e) => `line ${e.line}: \`\`\`${e.lang}`)
  assert.deepEqual(untried, [], 'examples the test does not run: mark each one `test plugin=<name> file=<path>`')
})

describe.each([...plugins.keys()])('the example plugin %s', (name) => {
  const files = plugins.get(name)!
  const tests = files.filter((f) => /\.test\.(js|mjs|cjs|ts|mts)$/.test(f.file!))

  test(`publishes and loads with no warning${tests.length ? `, and its ${tests.length} test file(s) of the page pass under app plugin test` : ''}`, async (t) => {
    const root = tempDir(t, 'app-doc-example-')
    const dir = join(root, name)
    for (const f of files) {
      mkdirSync(dirname(join(dir, f.file!)), { recursive: true })
      writeFileSync(join(dir, f.file!), f.code)
    }
    const single = files.find((f) => f.single)
    const host = await createTestHost({
      plugin: single ? join(dir, single.file!) : dir,
      settings: name === 'change-notifier' ? { webhookUrl: 'http://127.0.0.1:9/' } : undefined,
    })
    try {
      assert.deepEqual(host.warnings, [])
      assert.equal(host.plugin.name, name)
    } finally {
      await host.close()
    }
    if (!tests.length) return
    const run = await runCli(['plugin', 'test', dir])
    assert.equal(run.code, 0, `app plugin test ${name}:\n${run.stdout}${run.stderr}`)
    assert.match(run.stdout, /ℹ fail 0/)
  })
})
