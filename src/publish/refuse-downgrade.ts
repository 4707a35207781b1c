import semver from 'semver'
import type { Candidate, Notice } from '../sources/source-types.ts'
import type { GenerationEntry } from '../store/store-types.ts'

/**
 * DOWNGRADE_REFUSED (DESIGN section 9) when a source offers a lower version
 * than the one the current generation runs for that name, or null when the
 * candidate may go ahead. A replayed old release (even one correctly signed)
 * must not silently replace a newer one: the caller keeps the current
 * version. Compared with the current generation, so after `app plugins
 * rollback` the rolled-back version is the reference, and a later scan of
 * the same sources does not undo the operator's choice. A current entry that
 * never loaded (status error) protects nothing, so it does not block.
 */
export function refuseDowngrade(candidate: Candidate, current: GenerationEntry | undefined, allowDowngrade: boolean): Notice | null {
  if (!current || allowDowngrade || current.status === 'error' || !candidate.check.manifest) return null
  const offered = candidate.check.version
  const published = current.version
  if (!semver.valid(offered) || !semver.valid(published) || !semver.lt(offered, published)) return null
  const name = candidate.check.name
  return {
    key: `DOWNGRADE_REFUSED:${name}:${candidate.source}:${candidate.origin}`,
    code: 'DOWNGRADE_REFUSED',
    severity: 'error',
    plugin: name,
    version: offered,
    message:
      `${candidate.origin} (${candidate.source}) offers ${name} ${offered}, lower than the published ${published}, so it was refused and ${published} stays loaded. ` +
      `To run an older version on purpose, roll back to a generation that has it (\`app plugins generations\`, \`app plugins rollback <generation>\`) or set allowDowngrade = true on that source; otherwise find out why the source went back.`,
    detail: candidate.origin,
  }
}
