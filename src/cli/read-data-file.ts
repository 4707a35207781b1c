import { readFileSync } from 'node:fs'
import { extname } from 'node:path'
import { parse as parseToml } from 'smol-toml'
import { AppError, ExitCode } from '../errors/app-error.ts'

/** A JSON file (or, with allowToml, a .toml file) given to `app resources import` or `app bots apply`; unreadable or unparsable is exit 2. */
export function readDataFile(file: string, what: string, allowToml: boolean): unknown {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (cause) {
    throw new AppError('FILE_UNREADABLE', `cannot read ${what} file ${file}: ${(cause as Error).message}`, {
      exitCode: ExitCode.usage,
      cause,
    })
  }
  const toml = allowToml && extname(file).toLowerCase() === '.toml'
  try {
    return toml ? parseToml(text) : JSON.parse(text)
  } catch (cause) {
    throw new AppError(
      'FILE_INVALID',
      `${what} file ${file} is not valid ${toml ? 'TOML' : 'JSON'}: ${(cause as Error).message}${allowToml ? ' (a .toml file is read as TOML, anything else as JSON)' : ''}`,
      { exitCode: ExitCode.usage, cause },
    )
  }
}
