import { AppError, ExitCode } from '../../errors/app-error.ts'

/** The <id> argument of `app events show|retry|cancel`: a positive integer, else exit 2. */
export function eventId(raw: string): number {
  const id = Number(raw)
  if (!Number.isSafeInteger(id) || id < 1)
    throw new AppError('USAGE', `event id must be a positive integer (see \`app events list\`); found "${raw}"`, {
      exitCode: ExitCode.usage,
    })
  return id
}
