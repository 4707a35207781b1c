import { test } from 'vitest'
import { createTestHost } from '../../src/testing/create-test-host.ts'
test('try', async () => {
  const t0 = Date.now()
  const host = await createTestHost({ plugin: 'test/fixtures/testing/sample-plugin', settings: { label: 'x' } })
  console.log('created in', Date.now() - t0, host.plugin, host.warnings, host.logs)
  await host.resources.add({ id: 'i-1', type: 'instance', state: 'stopped' }, { id: 'i-2', type: 'instance', state: 'running' })
  const run = await host.runBot({ resourceTypes: ['instance'], filters: [{ queryId: 'sample.filter.stopped' }], action: { uid: 'sample.action.start_later' } })
  console.log(JSON.stringify(run))
  console.log(await host.runDueJobs())
  console.log(await host.runDueJobs({ now: Date.now() + 13 * 3600e3 }))
  console.log(await host.resources.get('i-1'))
  const res = await host.request('status')
  console.log(res.status, await res.text())
  console.log(await host.fireHook('resource.modified', { resource: { id: 'i-2', type: 'instance', state: 'stopped' }, previous: { id: 'i-2', type: 'instance', state: 'running' } }))
  await host.fireHook('resource.modified', { resource: { id: 'i-2', type: 'instance', state: 'terminated' }, previous: { id: 'i-2', type: 'instance', state: 'running' } }).catch((e) => console.log('threw', e.stack))
  console.log(host.warnings, host.logs.length)
  await host.close()
})
