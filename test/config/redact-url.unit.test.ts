import assert from 'node:assert/strict'
import { test } from 'vitest'
import { redactedKey, redactUrl, redactUrlsIn } from '../../src/config/redact-url.ts'

test('redactUrl hides user, password and every query value, and keeps what says where', () => {
  assert.equal(
    redactUrl('https://ops:hunter2@plugins.example.com:8443/a/index.json?api_key=k-1&v=2&flag#top'),
    'https://***:***@plugins.example.com:8443/a/index.json?api_key=***&v=***&***#top',
  )
  assert.equal(redactUrl('https://plugins.example.com/index.json'), 'https://plugins.example.com/index.json')
  assert.equal(redactUrl(new URL('http://token@127.0.0.1/x.tgz')), 'http://***@127.0.0.1/x.tgz')
})

test('redactedKey tells apart URLs that differ only in a query value, and ignores credentials', () => {
  const a = redactedKey('https://h.example/get?file=a.tgz')
  assert.notEqual(a, redactedKey('https://h.example/get?file=b.tgz'))
  assert.match(a, /^https:\/\/h\.example\/get\?file=\*\*\* #[0-9a-f]{12}$/)
  assert.equal(redactedKey('https://u:one@h.example/x.tgz'), redactedKey('https://u:two@h.example/x.tgz'))
  assert.equal(redactedKey('https://h.example/x.tgz'), 'https://h.example/x.tgz')
})

test('redactUrlsIn redacts every URL inside free text, parseable or not', () => {
  assert.equal(
    redactUrlsIn('fetch ftp://u:pw@h/x and https://h/i?token=t failed'),
    'fetch ftp://***:***@h/x and https://h/i?token=*** failed',
  )
  assert.equal(redactUrlsIn('bad http://u:pw@[::1/x?k=v'), 'bad http://***@[::1/x?k=***')
})
