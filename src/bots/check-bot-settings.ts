import type { SettingConfig } from '../loader/plugin-host.ts'
import type { Bot } from '../sdk/host-services.ts'
import { unknownKeyFix } from '../settings/parse-setting-pairs.ts'
import type { RegisteredIds } from './registered-ids.ts'

/** One thing wrong with a bot against what its filters and action registered. */
export interface BotProblem {
  bot: string
  kind: 'filter' | 'action'
  /** The queryId or uid. */
  id: string
  /** The setting, or "resourceTypes". */
  key: string
  expected: string
  found: string
  message: string
}

/** settingsConfig types as plugins write them (the seed's int/float/bool/dict, and 5b's number/boolean/choice). */
const TYPES: Record<string, [string, (v: unknown) => boolean]> = {
  string: ['a string', (v) => typeof v === 'string'],
  str: ['a string', (v) => typeof v === 'string'],
  text: ['a string', (v) => typeof v === 'string'],
  choice: ['a string', (v) => typeof v === 'string'],
  int: ['a whole number', Number.isInteger],
  integer: ['a whole number', Number.isInteger],
  float: ['a number', (v) => typeof v === 'number' && Number.isFinite(v)],
  number: ['a number', (v) => typeof v === 'number' && Number.isFinite(v)],
  bool: ['true or false', (v) => typeof v === 'boolean'],
  boolean: ['true or false', (v) => typeof v === 'boolean'],
  list: ['a list (JSON array)', Array.isArray],
  array: ['a list (JSON array)', Array.isArray],
  dict: ['an object', (v) => typeof v === 'object' && v !== null && !Array.isArray(v)],
  object: ['an object', (v) => typeof v === 'object' && v !== null && !Array.isArray(v)],
}

const show = (v: unknown) => (v === undefined ? 'nothing' : (JSON.stringify(v)?.slice(0, 120) ?? String(v)))

/** Problems of one filter's or action's settings: unknown keys, missing required ones, wrong types, values outside choices. */
function settingsProblems(
  config: SettingConfig[],
  settings: Record<string, unknown>,
  label: string,
): Array<Omit<BotProblem, 'bot' | 'kind' | 'id' | 'message'> & { fix: string }> {
  const out: Array<Omit<BotProblem, 'bot' | 'kind' | 'id' | 'message'> & { fix: string }> = []
  const names = config.map((c) => c.name)
  for (const key of Object.keys(settings)) {
    if (!names.includes(key)) out.push({ key, found: `the key "${key}"`, ...unknownKeyFix(key, names, label) })
  }
  for (const c of config) {
    const v = settings[c.name]
    if (v === undefined || v === null) {
      if (c.required === true && c.default === undefined)
        out.push({
          key: c.name,
          expected: `${TYPES[String(c.type)]?.[0] ?? 'a value'} (required)`,
          found: 'nothing',
          fix: `add "${c.name}" to the settings`,
        })
      continue
    }
    const type = TYPES[String(c.type)]
    if (type && !type[1](v)) {
      out.push({ key: c.name, expected: type[0], found: show(v), fix: `give "${c.name}" ${type[0]}` })
      continue
    }
    const choices = Array.isArray(c.choices) ? (c.choices as unknown[]) : null
    const outside = choices && (Array.isArray(v) ? v.filter((x) => !choices.includes(x)) : choices.includes(v) ? [] : [v])
    if (choices && outside?.length)
      out.push({
        key: c.name,
        expected: `${Array.isArray(v) ? 'values among' : 'one of'} ${choices.map((x) => JSON.stringify(x)).join(', ')}`,
        found: show(v),
        fix: `use one of ${choices.map((x) => JSON.stringify(x)).join(', ')}`,
      })
  }
  return out
}

/**
 * Checks bots against the settingsConfig and supportedResources their
 * filters and action registered (as the publish dry run recorded them):
 * every problem of every bot. Ids no plugin registers, and plugins that gave
 * no settingsConfig (free-form settings), are not checked here.
 */
export function checkBotSettings(bots: Bot[], registered: RegisteredIds): BotProblem[] {
  const problems: BotProblem[] = []
  const add = (bot: Bot, kind: BotProblem['kind'], id: string, p: { key: string; expected: string; found: string; fix: string }) =>
    problems.push({
      bot: bot.name,
      kind,
      id,
      key: p.key,
      expected: p.expected,
      found: p.found,
      message: `bot "${bot.name}": ${kind} "${id}": ${p.key === 'resourceTypes' ? 'resourceTypes' : `setting "${p.key}"`}: expected ${p.expected}; found ${p.found}. Fix: ${p.fix}`,
    })
  for (const bot of bots) {
    for (const f of bot.filters) {
      const spec = registered.filterSpecs?.get(f.queryId)
      if (!spec) continue
      const unsupported = spec.supportedResources.length ? bot.resourceTypes.filter((t) => !spec.supportedResources.includes(t)) : []
      if (unsupported.length) {
        add(bot, 'filter', f.queryId, {
          key: 'resourceTypes',
          expected: `resource types the filter supports (${spec.supportedResources.join(', ')})`,
          found: unsupported.map((t) => JSON.stringify(t)).join(', '),
          fix: `remove ${unsupported.join(', ')} from the bot's resourceTypes, or use a filter that supports ${unsupported.length === 1 ? 'it' : 'them'}`,
        })
      }
      if (spec.settingsConfig)
        for (const p of settingsProblems(spec.settingsConfig, f.settings ?? {}, `filter "${f.queryId}" (plugin ${spec.plugin})`))
          add(bot, 'filter', f.queryId, p)
    }
    const spec = registered.actionSpecs?.get(bot.action.uid)
    if (spec?.settingsConfig)
      for (const p of settingsProblems(
        spec.settingsConfig,
        bot.action.settings ?? {},
        `action "${bot.action.uid}" (plugin ${spec.plugin})`,
      ))
        add(bot, 'action', bot.action.uid, p)
  }
  return problems
}
