// Type-checked only (npm run typecheck), never run: types/plugin.d.ts (what plugin authors compile against) and
// the host's implementation (what their code gets at run time) must agree. The SDK object createSdk builds is
// assigned to the declared module's type, key for key; the shapes the SDK hands over (src/sdk/host-services.ts)
// must be assignable both ways. A change to either side that the other lacks fails `npm run typecheck` here.
import type * as Declared from 'app/plugin'
import type * as Host from '../../src/sdk/host-services.ts'
import { createSdk } from '../../src/loader/create-sdk.ts'
import type { PluginScope } from '../../src/loader/plugin-scope.ts'

/** Compiles only when A and B are assignable to each other. */
function same<A, B>(check: [A] extends [B] ? ([B] extends [A] ? true : 'B is not assignable to A') : 'A is not assignable to B'): void {
  void check
}

declare const scope: PluginScope
const sdk = createSdk(scope, null)

// The implementation provides every declared export with a type the declaration accepts ...
export const asDeclared: typeof Declared.default = sdk
// ... and declares every export it provides (no undeclared, untyped extras).
same<keyof typeof sdk, keyof typeof Declared.default>(true)

// The shapes plugin code receives and hands back.
same<Declared.Resource, Host.Resource>(true)
same<Declared.Bot, Host.Bot>(true)
same<Declared.ScheduleData, Host.ScheduleData>(true)
same<Declared.EventRecord, Host.EventRecord>(true)
same<Declared.BotEventRequest, Host.BotEventRequest>(true)
same<Declared.ResourceChange, Host.ResourceChange>(true)
same<Declared.ResourceHookName, Host.ResourceHookName>(true)
same<Declared.EventContext, Host.EventContext>(true)
same<Declared.JobContext, Host.JobContext>(true)
same<Declared.HookContext, Host.HookContext>(true)
same<Declared.QuerySpec, Host.QuerySpec>(true)
same<Declared.ActionSpec, Host.ActionSpec>(true)
same<Declared.SettingConfig, Host.SettingConfig>(true)
same<Declared.Logger, Host.SdkLogger>(true)
