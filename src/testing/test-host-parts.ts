import { withoutNulls } from '../hooks/resource-changes.ts'
import { importResources } from '../resources/import-resources.ts'
import type { ResourceInput } from '../resources/resource-schema.ts'
import type { Resource } from '../sdk/host-services.ts'
import { unknownKeyFix } from '../settings/parse-setting-pairs.ts'
import { storedValueProblem } from '../settings/parse-setting-value.ts'
import { declaredSettings, type SettingValue } from '../settings/setting-declaration.ts'
import { writePluginSettings } from '../settings/settings-store.ts'
import type { Db } from '../store/open-database.ts'

/**
 * Writes resources as `app resources import` does (merged, hooks raised for
 * subscribed plugins); throws naming every row that does not fit.
 */
export async function addResources(runtime: Db, list: unknown[]): Promise<void> {
  const result = await importResources(runtime, list)
  if (result.rejected.length) {
    throw new TypeError(
      `host.resources.add: ${result.rejected.length} problem(s), so those resources were not added:\n${result.rejected.map((r) => `  #${r.index}${r.id ? ` ("${r.id}")` : ''}: ${r.field}: ${r.message}`).join('\n')}\nA resource is { id, type, cloud?, account?, region?, name?, state?, tags?, properties? }.`,
    )
  }
}

/**
 * Sets (null: unsets) settings of the plugin, checked against the declarations
 * of its manifest as `app plugins settings <name> set` checks them: all of
 * them, or none (a TypeError names each problem).
 */
export function setPluginSettings(runtime: Db, plugin: string, manifest: Record<string, unknown>, values: Record<string, unknown>): void {
  const declarations = declaredSettings(manifest)
  const names = declarations.map((d) => d.name)
  const problems: string[] = []
  const changes: Array<{ key: string; value: SettingValue | null }> = []
  for (const [key, value] of Object.entries(values)) {
    const d = declarations.find((x) => x.name === key)
    if (!d) {
      const { expected, fix } = unknownKeyFix(key, names, `plugin "${plugin}"`)
      problems.push(`${key}: expected ${expected}; ${fix}`)
      continue
    }
    const problem = value === null ? null : storedValueProblem(d, value)
    if (problem) problems.push(`${key}: expected ${problem.expected}; found ${problem.found}`)
    else changes.push({ key, value: value as SettingValue | null })
  }
  if (problems.length)
    throw new TypeError(
      `host.settings.set: ${problems.length} problem(s) with the settings of plugin "${plugin}", so none was changed:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    )
  writePluginSettings(runtime, plugin, changes)
}

/** A resource of a test (only id and type required) as the inventory would hold it. */
export function fullResource(input: ResourceInput, what: string): Resource {
  if (typeof input !== 'object' || input === null || typeof input.id !== 'string' || typeof input.type !== 'string') {
    throw new TypeError(`${what}: expected a resource { id, type, ... }; found ${JSON.stringify(input)?.slice(0, 120)}`)
  }
  return {
    id: input.id,
    type: input.type,
    cloud: input.cloud ?? '',
    account: input.account ?? '',
    region: input.region ?? '',
    name: input.name ?? '',
    state: input.state ?? '',
    tags: withoutNulls(input.tags ?? {}),
    properties: withoutNulls(input.properties ?? {}),
  }
}

/** Resources of the given types, each once (as a bot run reads them). */
export async function resourcesOfTypes(find: (q: { type: string }) => Promise<Resource[]>, types: string[]): Promise<Resource[]> {
  const seen = new Map<string, Resource>()
  for (const type of types) for (const r of await find({ type })) if (!seen.has(r.id)) seen.set(r.id, r)
  return [...seen.values()]
}
