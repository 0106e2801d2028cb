/**
 * Finds the programs the test servers need, by absolute path (sshd refuses
 * to start otherwise), and says which Debian package to install when one is
 * missing. Tests check `missingTools(...)` up front and skip with its message
 * as the reason, so a missing server never passes silently.
 */
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

/** A program a test server needs is not installed; the message names the apt package. */
export class MissingToolError extends Error {
  constructor (readonly tool: string, readonly aptPackage: string) {
    super(`${tool} is not installed: apt-get install ${aptPackage}`)
    this.name = 'MissingToolError'
  }
}

/** sbin folders are searched too: sshd lives there and is often not on a user's PATH. */
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/local/bin', '/usr/bin', '/bin']

export function findTool (name: string, aptPackage: string): string {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter).filter(d => d !== ''), ...EXTRA_DIRS]
  for (const dir of dirs) {
    const file = join(dir, name)
    try {
      accessSync(file, constants.X_OK)
      return file
    } catch { /* not here */ }
  }
  throw new MissingToolError(name, aptPackage)
}

/** The reason to skip when any of `[program, aptPackage]` is missing, else undefined. */
export function missingTools (tools: ReadonlyArray<readonly [string, string]>): string | undefined {
  const missing = tools.filter(([name, pkg]) => {
    try {
      findTool(name, pkg)
      return false
    } catch {
      return true
    }
  })
  if (missing.length === 0) return undefined
  const pkgs = [...new Set(missing.map(([, pkg]) => pkg))]
  return `${missing.map(([n]) => n).join(', ')} not installed: apt-get install ${pkgs.join(' ')}`
}
