// Type-checked only (npm run typecheck), never run: plugin code using settings and PermanentError against types/plugin.d.ts.
import sdk, { BotFactoryRegistryWrapper, PermanentError, settings, type PluginSettingValue } from 'app/plugin'

export function load(): void {
  new BotFactoryRegistryWrapper()
    .action(
      { uid: 'custom.action.notify', settingsConfig: [{ name: 'channel', type: 'string', required: true, choices: ['#ops', '#sec'] }] },
      async () => {
        const url: string = settings.get<string>('webhookUrl')
        const level: PluginSettingValue | undefined = settings.get('level')
        const token: string | undefined = await settings.secret('token')
        if (!token) throw new PermanentError(`no token for ${url} at ${String(level)}`)
      },
    )
    .load()
  const err: Error = new sdk.PermanentError('x')
  void err
}
