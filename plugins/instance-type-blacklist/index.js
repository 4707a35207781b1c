// A sample filter plugin (ESM). Filters are (resource, settings) => boolean;
// a bot applies them to its resources and acts on those that match.
// `log` writes JSON lines tagged with this plugin's name and version.
import { QueryRegistry, log } from 'app/plugin'

const DEFAULT_BLACKLIST = ['t2.nano', 'm1.small']

export function load() {
  // Registrations made in load() are owned by this plugin and undone on unload.
  QueryRegistry.register(
    {
      queryId: 'custom.filter.instance_type_blacklist',
      name: 'Instance type on blacklist',
      supportedResources: ['instance'],
      settingsConfig: [{ name: 'types', type: 'list', default: DEFAULT_BLACKLIST }],
    },
    (resource, settings) => {
      const instanceType = resource.properties?.instanceType
      const listed = (settings.types ?? DEFAULT_BLACKLIST).includes(instanceType)
      if (listed) log.debug({ resource: resource.id, instanceType }, 'instance type is on the blacklist')
      return listed
    },
  )
  QueryRegistry.register(
    { queryId: 'custom.filter.stopped', name: 'Resource is stopped', supportedResources: ['instance', 'database'], settingsConfig: [] },
    (resource) => resource.state === 'stopped',
  )
  log.debug({ defaultBlacklist: DEFAULT_BLACKLIST }, 'filters registered')
}

export function unload() {
  // Nothing to release: the host removes this plugin's filters itself.
}
