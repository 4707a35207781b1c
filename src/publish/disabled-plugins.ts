import type { StoreReader } from '../store/store-reader.ts'
import type { StoreWriter } from '../store/store-writer.ts'

/** Where the disabled set lives: plugins.db (source_state), beside the scan state, written by the scheduler only. */
export const DISABLED_KEY = 'disabled-plugins'

/** A plugin an operator disabled: left out of every generation until enabled, across rescans. */
export interface DisabledPlugin {
  at: string
  by: string
  /** The version the generation held when it was disabled. */
  version: string | null
}

export type DisabledPlugins = Record<string, DisabledPlugin>

/** The disabled plugins by name ({} when none). */
export async function readDisabledPlugins(store: Pick<StoreReader, 'sourceState'>): Promise<DisabledPlugins> {
  const state = await store.sourceState(DISABLED_KEY)
  const plugins = state?.plugins
  return plugins && typeof plugins === 'object' ? (plugins as DisabledPlugins) : {}
}

export async function writeDisabledPlugins(store: Pick<StoreWriter, 'setSourceState'>, plugins: DisabledPlugins): Promise<void> {
  await store.setSourceState(DISABLED_KEY, { plugins })
}
