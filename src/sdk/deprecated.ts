import type { Warning } from '../store/store-types.ts'

/**
 * A deprecated SDK name (the seed's DivvyDbObjects -> DbObjects). `wrap()`
 * returns a Proxy that still works but reports one DEPRECATED_API warning on
 * its first property access, so each plugin that uses it hears about it once.
 */
export function deprecated(name: string, replacement: string, removeIn: string) {
  const message = `${name} is deprecated and will be removed in app ${removeIn}; use ${replacement} instead (it has the same API). Replace the import and the uses of ${name}.`
  return {
    name,
    replacement,
    removeIn,
    message,
    wrap<T extends object>(target: T, report: (warning: Omit<Warning, 'plugin' | 'version'>) => void): T {
      let told = false
      const tell = () => {
        if (told) return
        told = true
        report({ code: 'DEPRECATED_API', severity: 'warning', message, detail: `${name} -> ${replacement}` })
      }
      return new Proxy(target, {
        get(t, key, receiver) {
          tell()
          return Reflect.get(t, key, receiver)
        },
        has(t, key) {
          tell()
          return Reflect.has(t, key)
        },
      })
    },
  }
}

/** Every deprecated name of the SDK, in one place. */
export const DEPRECATIONS = {
  DivvyDbObjects: deprecated('DivvyDbObjects', 'DbObjects', '2.0.0'),
}
