import semver from 'semver'
import { z } from 'zod'
import type { Warning } from '../store/store-types.ts'
import { APP_VERSION } from '../version.ts'
import type { WarningCode } from '../errors/codes.ts'
import { checkDeclarations } from '../settings/setting-declaration.ts'

export const PLUGIN_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/
export const SUPPORTED_API_VERSIONS = [1]

const relPath = z
  .string()
  .min(1)
  .refine(
    (p) => !p.startsWith('/') && !p.split('/').includes('..') && !p.includes('\\'),
    'expected a relative path inside the plugin, without ".." or backslashes',
  )

const manifestSchema = z.object({
  name: z
    .string()
    .regex(PLUGIN_NAME, 'expected lowercase letters, digits, ".", "_" or "-", starting with a letter or digit, at most 64 characters'),
  version: z.string().refine((v) => semver.valid(v) !== null, 'expected a semantic version such as "1.2.0"'),
  apiVersion: z.int(),
  engines: z
    .object({ app: z.string().refine((r) => semver.validRange(r) !== null, 'expected a semver range such as ">=0.1.0"') })
    .partial()
    .optional(),
  modules: z
    .array(
      relPath.refine(
        (p) => /\.(js|mjs|cjs|ts|mts|cts|tsx)$/.test(p),
        'expected a JavaScript (.js, .mjs, .cjs) or TypeScript (.ts, .mts, .cts, .tsx) file',
      ),
    )
    .min(1, 'expected at least one module; modules[0] must export load()'),
  frontend: z.array(relPath.refine((p) => /\.(js|mjs|css)$/.test(p), 'expected a .js, .mjs or .css file')).default([]),
  metadata: z
    .object({
      author: z.string(),
      nickname: z.string(),
      category: z.string(),
      description: z.string(),
      supportEmail: z.string(),
      supportUrl: z.string(),
    })
    .partial()
    .default({}),
  // The plugin's own settings (DESIGN section 5b), kept as written; each problem is an issue at its path.
  settings: z
    .unknown()
    .superRefine((list, ctx) => {
      for (const p of checkDeclarations(list)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message })
    })
    .optional(),
})

export type Manifest = z.infer<typeof manifestSchema>

export interface ManifestCheck {
  manifest: Manifest | null
  /** Name to file the plugin under: the manifest's, or the folder's when the manifest is unreadable. */
  name: string
  version: string
  warnings: Warning[]
}

export const fallbackNameOf = (folder: string): string =>
  folder
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 64) || 'unnamed'

/** A check that found no usable manifest: one error, filed under the folder's name. */
export function failedCheck(folder: string, code: WarningCode, message: string, detail: string): ManifestCheck {
  const name = fallbackNameOf(folder)
  return { manifest: null, name, version: '0.0.0', warnings: [{ code, severity: 'error', plugin: name, version: null, message, detail }] }
}

/**
 * Checks plugin.json against DESIGN section 4 and the files of the bundle.
 * Each message names the file, the field, what was expected and what was found.
 */
export function validateManifest(input: { folder: string; manifestText: string | null; paths: Set<string> }): ManifestCheck {
  const file = `${input.folder}/plugin.json`
  if (input.manifestText === null)
    return failedCheck(
      input.folder,
      'NOT_A_PLUGIN',
      `${input.folder} has no plugin.json at its root (nor a package.json with an "appPlugin" key), so it is not a plugin. Add a plugin.json (see the README) or move the folder out of the plugins directory.`,
      file,
    )
  let raw: unknown
  try {
    raw = JSON.parse(input.manifestText)
  } catch (e) {
    return failedCheck(input.folder, 'MANIFEST_INVALID', `${file} is not valid JSON: ${(e as Error).message}. Fix the syntax.`, file)
  }
  return validateManifestObject(raw, { folder: input.folder, file, fix: 'Fix plugin.json.', paths: input.paths })
}

/** Checks a manifest object, wherever it came from (plugin.json, package.json "appPlugin", a module's exported manifest). */
export function validateManifestObject(
  raw: unknown,
  input: { folder: string; file: string; fix: string; paths: Set<string> },
): ManifestCheck {
  const { file } = input
  const parsed = manifestSchema.safeParse(raw)
  if (!parsed.success) {
    const first = parsed.error.issues[0]!
    const field = first.path.join('.') || '(root)'
    const found = first.path.reduce<unknown>((node, k) => (node as Record<PropertyKey, unknown> | undefined)?.[k], raw)
    const all = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')
    const rawName =
      typeof (raw as { name?: unknown })?.name === 'string' && PLUGIN_NAME.test((raw as { name: string }).name)
        ? (raw as { name: string }).name
        : null
    const result = failedCheck(
      input.folder,
      'MANIFEST_INVALID',
      `${file}: field "${field}" is invalid: ${first.message}; found ${JSON.stringify(found) ?? 'nothing'}. ${input.fix}`,
      all,
    )
    if (rawName) result.name = result.warnings[0]!.plugin = rawName
    return result
  }
  const manifest = parsed.data
  const at = (w: Omit<Warning, 'plugin' | 'version'>): Warning => ({ ...w, plugin: manifest.name, version: manifest.version })
  const warnings: Warning[] = []
  if (!SUPPORTED_API_VERSIONS.includes(manifest.apiVersion)) {
    warnings.push(
      at({
        code: 'API_VERSION_UNSUPPORTED',
        severity: 'error',
        message: `${file}: apiVersion ${manifest.apiVersion} is not supported by app ${APP_VERSION}; expected one of ${SUPPORTED_API_VERSIONS.join(', ')}. Build the plugin against API version 1.`,
        detail: file,
      }),
    )
  }
  const range = manifest.engines?.app
  if (range && !semver.satisfies(APP_VERSION, range, { includePrerelease: true })) {
    warnings.push(
      at({
        code: 'ENGINE_MISMATCH',
        severity: 'error',
        message: `${file}: engines.app requires "${range}" but this is app ${APP_VERSION}. Upgrade app or install a plugin version made for it.`,
        detail: file,
      }),
    )
  }
  manifest.modules.forEach((m, i) => {
    if (!input.paths.has(m))
      warnings.push(
        at({
          code: 'MODULE_NOT_FOUND',
          severity: 'error',
          message: `${file}: modules[${i}] is "${m}" but the plugin has no such file. Add the file or fix the path.`,
          detail: m,
        }),
      )
  })
  manifest.frontend.forEach((f, i) => {
    if (!input.paths.has(f))
      warnings.push(
        at({
          code: 'FRONTEND_ASSET_MISSING',
          severity: 'warning',
          message: `${file}: frontend[${i}] is "${f}" but the plugin has no such file; the page loads without it. Add the file or remove the entry.`,
          detail: f,
        }),
      )
  })
  return { manifest, name: manifest.name, version: manifest.version, warnings }
}
