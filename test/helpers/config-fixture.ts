/**
 * Shared bits of the config tests: write a config file into a test folder,
 * load options that do not depend on who runs the tests, and the shape of
 * a StemError refusal for t.rejects / t.throws.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ExitCode, type ExitCodeName } from '../../src/exit-codes.js'

/** A non-root user with no XDG_STATE_HOME and no secrets in the environment. */
export const asUser = { env: {}, uid: 1000, home: '/home/tester' } as const

/** Writes `text` as `dir/name` and returns the file's path. */
export function writeConfig (dir: string, text: string, name = 'stalk.cf'): string {
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}

export interface StemErrorMatch {
  readonly name: 'StemError'
  readonly exitCode: number
  readonly message: string | RegExp
}

/** Matches a StemError with the exit code of `code` and a message containing `message` (or matching it). */
export function refusal (code: ExitCodeName, message: string | RegExp): StemErrorMatch {
  return { name: 'StemError', exitCode: ExitCode[code], message }
}
