/**
 * Where compiled TypeScript lives in a stored bundle: beside the sources,
 * under `.app-build/`, one `<source path>.js` and one `<source path>.js.map`
 * per TypeScript file (`lib/x.ts` -> `.app-build/lib/x.ts.js`). The bundle's
 * hash covers sources and output alike; a worker imports `lib/x.ts` by its
 * own path and the module hook hands it the compiled text.
 */
export const BUILD_DIR = '.app-build'

/** `.ts .mts .cts .tsx`, but not declaration files (`.d.ts`), which hold no code. */
export const isTypeScript = (path: string): boolean => /\.(ts|mts|cts|tsx)$/.test(path) && !/\.d\.(m|c)?ts$/.test(path)

export const compiledPathOf = (path: string): string => `${BUILD_DIR}/${path}.js`

export const isBuildOutput = (path: string): boolean => path.startsWith(`${BUILD_DIR}/`)
