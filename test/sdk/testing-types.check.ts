// Type-checked only (npm run typecheck), never run: types/plugin-testing.d.ts (what a plugin's tests compile
// against) and the test host src/testing/ implements must agree, as sdk-types.check.ts holds app/plugin's.
import type * as Declared from 'app/plugin/testing'
import { createTestHost, type TestHost } from '../../src/testing/create-test-host.ts'

function same<A, B>(check: [A] extends [B] ? ([B] extends [A] ? true : 'B is not assignable to A') : 'A is not assignable to B'): void {
  void check
}

// The implementation is what the declaration says (options it takes, the host it resolves with) ...
export const asDeclared: typeof Declared.createTestHost = createTestHost
// ... and the host has no member the declaration leaves out.
same<keyof TestHost, keyof Declared.TestHost>(true)
same<Parameters<TestHost['runDueJobs']>, Parameters<Declared.TestHost['runDueJobs']>>(true)
same<Awaited<ReturnType<TestHost['runBot']>>, Declared.BotRun>(true)
same<Awaited<ReturnType<TestHost['fireHook']>>, Declared.JobRun>(true)
same<TestHost['logs'], Declared.LogLine[]>(true)
