import { randomBytes } from 'node:crypto'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test, type TestContext } from 'vitest'
import { sourceSchema } from '../../src/config/config-schema.ts'
import { syncPlugins } from '../../src/publish/sync-plugins.ts'
import { NO_TRUST, type Trust } from '../../src/signing/create-trust.ts'
import { createS3Source, type S3SourceConfig } from '../../src/sources/s3-source.ts'
import { openWritableStore } from '../../src/store/open-store.ts'
import { tempDir } from '../helpers/cli.ts'
import { pluginFiles, tgzOf, zipFiles } from './archive-fixtures.ts'
import { S3_ENV, startS3, type S3Fixture } from './s3-fixture.ts'
import { sourceContract } from './source-contract.ts'

const limits = { maxBytes: 50 * 1024 * 1024, maxFiles: 10_000, maxDepth: 32 }
Object.assign(process.env, S3_ENV) // the AWS SDK's default chain reads them, as on a host configured by environment

function s3Source(s3: S3Fixture, settings: Record<string, unknown> = {}, trust: Trust = NO_TRUST) {
  const config = sourceSchema.parse({
    type: 's3',
    bucket: s3.bucket,
    prefix: 'app/',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    ...settings,
  }) as S3SourceConfig
  return createS3Source(config, { limits, trust })
}

sourceContract('s3', async (t) => {
  const s3 = await startS3(t)
  return {
    add: (name, data) => s3.put(`app/${name}`, data),
    remove: (name) => s3.remove(`app/${name}`),
    source: (trust) => s3Source(s3, {}, trust),
  }
})

async function openStore(t: TestContext) {
  const store = await openWritableStore(join(tempDir(t), 'data'))
  t.onTestFinished(async () => {
    await store.close()
  })
  return store
}

test('s3 source: only archives under the prefix are read, and an object whose ETag did not change is not fetched again after a restart', async (t) => {
  const s3 = await startS3(t)
  const store = await openStore(t)
  await s3.put('app/kept-1.0.0.tgz', tgzOf(pluginFiles('kept')))
  await s3.put('app/notes.txt', Buffer.from('ignored'))
  await s3.put('other/stranger-1.0.0.zip', await zipFiles(pluginFiles('stranger')))
  await syncPlugins({ store, sources: [s3Source(s3)] })
  assert.deepEqual(
    (await store.currentGeneration())!.plugins.map((p) => [p.name, p.origin]),
    [['kept', 's3://plugins/app/kept-1.0.0.tgz']],
  )
  await syncPlugins({ store, sources: [s3Source(s3)] }) // a new client and source, as after a restart
  const gets = s3.requests.filter((r) => r.method === 'GET' && r.path.endsWith('kept-1.0.0.tgz'))
  assert.equal(gets.length, 1, 'the second sync only listed the bucket')
  await s3.put('app/kept-1.0.0.tgz', tgzOf(pluginFiles('kept', '1.0.1')))
  await syncPlugins({ store, sources: [s3Source(s3)] })
  assert.equal((await store.currentGeneration())!.plugins[0]!.version, '1.0.1', 'a new ETag is downloaded')
})

test('s3 source: an unreachable endpoint raises SOURCE_UNREACHABLE with the last success time and keeps the plugins', async (t) => {
  const s3 = await startS3(t)
  const store = await openStore(t)
  await s3.put('app/durable-1.0.0.tgz', tgzOf(pluginFiles('durable')))
  await syncPlugins({ store, sources: [s3Source(s3)] })
  const gen = await store.currentGenerationId()
  await s3.close()
  const result = await syncPlugins({ store, sources: [s3Source(s3, { connectTimeoutMs: 1000, timeoutMs: 3000 })] })
  assert.equal(result.generation, gen)
  assert.deepEqual(
    (await store.currentGeneration())!.plugins.map((p) => p.name),
    ['durable'],
  )
  const notice = (await store.notices()).find((n) => n.code === 'SOURCE_UNREACHABLE')!
  assert.match(notice.message, /cannot list s3:\/\/plugins\/app\//)
  assert.match(notice.message, /last success: \d{4}-\d\d-\d\dT/)
})

test('s3 source: wrong credentials in the default chain are reported with a hint; an object over maxBytes is not downloaded', async (t) => {
  const s3 = await startS3(t)
  await s3.put('app/huge-1.0.0.tgz', tgzOf(pluginFiles('huge', '1.0.0', { 'blob.bin': randomBytes(20_000) })))
  const big = await s3Source(s3, { maxBytes: 1000 }).scan()
  assert.match(
    big.notices.find((n) => n.code === 'BUNDLE_TOO_LARGE')!.message,
    /huge-1\.0\.0\.tgz is \d+ bytes, over the limit of 1000 bytes/,
  )
  assert.equal(s3.requests.filter((r) => r.method === 'GET' && r.path.endsWith('.tgz')).length, 0)

  process.env.AWS_ACCESS_KEY_ID = 'AKIAUNKNOWNKEY'
  t.onTestFinished(() => {
    process.env.AWS_ACCESS_KEY_ID = S3_ENV.AWS_ACCESS_KEY_ID
  })
  const denied = await s3Source(s3).scan()
  assert.equal(denied.reachable, false)
  assert.match(denied.notices[0]!.message, /InvalidAccessKeyId/)
  assert.match(denied.notices[0]!.message, /AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or the instance role/)
})
