import { existsSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { mergeKeys, withoutNulls } from '../hooks/resource-changes.ts'
import type { DryRunRecord, HostServices, PluginStorageService, Resource, ResourcePatch } from '../sdk/host-services.ts'
import { openDatabase } from '../store/open-database.ts'
import { createHostServices } from './create-host-services.ts'

/** Plain JSON of what a call was given (records cross to the scheduler's thread). */
function plain(value: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(value) ?? 'null')
  } catch {
    return String(value)
  }
}

const blank = (id: string): Resource => ({
  id,
  type: '',
  cloud: '',
  account: '',
  region: '',
  name: '',
  state: '',
  tags: {},
  properties: {},
})

/** What a dry run reads for real (the rest of HostServices it records instead): a role's HostServices has it all. */
export interface DryRunReads {
  resources: Pick<HostServices['resources'], 'get' | 'find'>
  bots: HostServices['bots']
  events: HostServices['events']
  storage?: Pick<PluginStorageService, 'get' | 'list'>
  pluginSettings?: { values(plugin: string): Map<string, unknown> }
}

/** runtime.db read-only, when there is one this build can read (a fresh data dir has none). */
export function readonlyRuntimeReads(file: string | null): DryRunReads | null {
  if (!file || !existsSync(file)) return null
  try {
    return createHostServices(openDatabase(file, { readonly: true }), { role: 'scheduler', dataDir: dirname(file) })
  } catch {
    return null // not migrated to this build's tables yet: the dry run reads nothing, as on a fresh data dir
  }
}

/**
 * HostServices for the publish-time dry run (DESIGN 5b, `host.dryRun`): reads come from `real` (runtime.db
 * read-only when it exists, or the scheduler's PostgreSQL reads), and every write (DbObjects, ScheduledEventTracker, storage) is recorded in
 * `dryRunRecords` and answered as if made, without touching anything and without throwing for the lack of
 * a database: a plugin whose load() writes publishes on a fresh data dir as anywhere else. Storage writes
 * are kept in memory for the rest of the dry run, so load() reads back what it set.
 */
export function createDryRunServices(real: DryRunReads | null, dataDir: string | null): HostServices {
  const records: DryRunRecord[] = []
  const record = (plugin: string | null | undefined, call: string, detail: unknown) => {
    records.push({ plugin: plugin ?? '', call, detail: plain(detail) })
  }
  const kept = new Map<string, { value: unknown } | null>() // plugin\0key -> value, or null once deleted
  const slot = (plugin: string, key: string) => `${plugin}\u0000${key}`
  const get = async (id: string) => (await real?.resources.get(id).catch(() => null)) ?? null

  return {
    resources: {
      get,
      find: async (query) => (await real?.resources.find(query).catch(() => [])) ?? [],
      async update(id: string, patch: ResourcePatch, actor) {
        record(actor, 'DbObjects.resources.update', { id, patch })
        const current = (await get(id)) ?? blank(id)
        return {
          ...current,
          state: typeof patch?.state === 'string' ? patch.state : current.state,
          tags: mergeKeys(current.tags, patch?.tags),
          properties: mergeKeys(current.properties, patch?.properties),
        }
      },
      async create(resource, actor) {
        record(actor, 'DbObjects.resources.create', resource)
        const r = (resource ?? {}) as Partial<Resource> & { tags?: Record<string, string | null> }
        return {
          ...blank(String(r.id ?? '')),
          ...r,
          tags: withoutNulls(r.tags ?? {}),
          properties: withoutNulls(r.properties ?? {}),
        } as Resource
      },
      async delete(id, actor) {
        record(actor, 'DbObjects.resources.delete', { id })
        return (await get(id)) !== null
      },
    },
    bots: {
      get: async (name) => (await real?.bots.get(name).catch(() => null)) ?? null,
      list: async () => (await real?.bots.list().catch(() => [])) ?? [],
    },
    events: { find: async (query) => (await real?.events.find(query).catch(() => [])) ?? [] },
    async scheduleBotEvents(requests, owner) {
      record(owner, 'ScheduledEventTracker.run', { events: requests.length, eventTypes: [...new Set(requests.map((r) => r?.eventType))] })
    },
    storage: {
      async get(plugin, key) {
        const mine = kept.get(slot(plugin, key))
        if (mine !== undefined) return mine?.value
        return real?.storage?.get(plugin, key).catch(() => undefined)
      },
      async set(plugin, key, value, options) {
        record(plugin, 'storage.set', { key, ttlMs: options?.ttlMs })
        kept.set(slot(plugin, key), { value: plain(value) })
      },
      async delete(plugin, key) {
        record(plugin, 'storage.delete', { key })
        const had = (await this.get(plugin, key)) !== undefined
        kept.set(slot(plugin, key), null)
        return had
      },
      async list(plugin, prefix = '') {
        const keys = new Set((await real?.storage?.list(plugin, prefix).catch(() => [])) ?? [])
        for (const [k, v] of kept) {
          const [p, key] = k.split('\u0000') as [string, string]
          if (p !== plugin || !key.startsWith(prefix)) continue
          if (v) keys.add(key)
          else keys.delete(key)
        }
        return [...keys].sort()
      },
    },
    pluginSettings: { values: (plugin) => real?.pluginSettings?.values(plugin) ?? new Map(), dryRun: true },
    host: { role: 'scheduler', dataDir: dataDir ? resolve(dataDir) : null, dryRun: true },
    dryRunRecords: records,
  }
}
