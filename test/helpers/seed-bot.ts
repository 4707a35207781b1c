/** The seed's bot with a short delay and interval, for tests: stopped instances get started a second later. */
export const SEED_BOT = {
  name: 'start-stopped-prod',
  enabled: true,
  resourceTypes: ['instance'],
  filters: [{ queryId: 'custom.filter.stopped', settings: {} }],
  action: { uid: 'custom.action.start_resource_later', settings: { delaySeconds: 1 } },
  schedule: { intervalSeconds: 1 },
}
