import { readExportedManifest } from './read-exported-manifest.ts'
import { failedCheck, validateManifest, validateManifestObject, type ManifestCheck } from './validate-manifest.ts'

/** Module files that are a plugin on their own when they sit in plugins/ and export a manifest. */
export const SINGLE_FILE_PLUGIN = /\.(js|mjs|cjs|ts|mts)$/

/**
 * The manifest of a plugin in any of its shapes (DESIGN section 4), checked:
 * plugin.json; else package.json's "appPlugin" (name and version from
 * package.json, modules defaulting to its main); else, for a single module
 * file, the `manifest` it exports (name from the file name, version 0.0.0
 * unless given, modules = that file).
 */
export function readPluginManifest(input: {
  folder: string
  paths: Set<string>
  text(path: string): string | null
  singleFile?: string
}): ManifestCheck {
  const { folder, paths } = input
  if (paths.has('plugin.json') || (!paths.has('package.json') && !input.singleFile))
    return validateManifest({ folder, manifestText: input.text('plugin.json'), paths })
  if (input.singleFile) return fromSingleFile(input.singleFile, input.text(input.singleFile) ?? '', paths)
  const file = `${folder}/package.json`
  let pkg: Record<string, unknown>
  try {
    pkg = JSON.parse(input.text('package.json') ?? '') as Record<string, unknown>
  } catch (e) {
    return failedCheck(folder, 'MANIFEST_INVALID', `${file} is not valid JSON: ${(e as Error).message}. Fix the syntax.`, file)
  }
  const app = pkg?.appPlugin
  if (app === undefined) return validateManifest({ folder, manifestText: null, paths })
  if (typeof app !== 'object' || app === null || Array.isArray(app)) {
    return failedCheck(
      folder,
      'MANIFEST_INVALID',
      `${file}: "appPlugin" must be an object holding the plugin manifest (apiVersion, modules, ...); found ${JSON.stringify(app)}. Fix package.json.`,
      file,
    )
  }
  const main = typeof pkg.main === 'string' ? pkg.main.replace(/^\.\//, '') : 'index.js'
  const raw = { ...app, name: pkg.name, version: pkg.version, modules: (app as { modules?: unknown }).modules ?? [main] }
  return validateManifestObject(raw, {
    folder,
    file: `${file} "appPlugin"`,
    fix: 'Fix package.json (name and version are its own; the rest is under "appPlugin").',
    paths,
  })
}

function fromSingleFile(path: string, source: string, paths: Set<string>): ManifestCheck {
  const name = path.replace(SINGLE_FILE_PLUGIN, '')
  const found = readExportedManifest(source)
  if (!found) {
    return failedCheck(
      name,
      'NOT_A_PLUGIN',
      `${path} in the plugins directory exports no manifest, so it is not a plugin. A single-file plugin exports one: \`export const manifest = { apiVersion: 1 }\` (CommonJS: \`exports.manifest = { apiVersion: 1 }\`).`,
      path,
    )
  }
  if (!found.ok) return failedCheck(name, 'MANIFEST_INVALID', `${path}: the exported manifest cannot be read: ${found.message}.`, path)
  const given = found.value
  if (given.name !== undefined && given.name !== name) {
    return failedCheck(
      name,
      'MANIFEST_INVALID',
      `${path}: the exported manifest says name ${JSON.stringify(given.name)}, but a single-file plugin is named after its file ("${name}"). Remove "name" from the manifest or rename the file.`,
      path,
    )
  }
  const raw = { ...given, name, version: given.version ?? '0.0.0', modules: given.modules ?? [path] }
  return validateManifestObject(raw, { folder: name, file: path, fix: `Fix the manifest ${path} exports.`, paths })
}
