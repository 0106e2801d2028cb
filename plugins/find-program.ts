/**
 * Finds a program the way execvp does, so the command plugin can refuse to
 * start with "command not found" at mount time instead of failing every
 * sync round later.
 */
import { constants } from 'node:fs'
import { access, stat } from 'node:fs/promises'
import { delimiter, isAbsolute, join, resolve } from 'node:path'

/** The program's path, or undefined when no executable file is found. */
export async function findProgram (program: string, cwd: string, pathEnv: string | undefined): Promise<string | undefined> {
  // a name with a slash is not searched on PATH; a relative one starts at the child's cwd
  if (program.includes('/')) {
    const p = isAbsolute(program) ? program : resolve(cwd, program)
    return await isExecutable(p) ? p : undefined
  }
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (dir === '') continue
    const p = join(dir, program)
    if (await isExecutable(p)) return p
  }
  return undefined
}

async function isExecutable (p: string): Promise<boolean> {
  try {
    await access(p, constants.X_OK)
    return (await stat(p)).isFile()
  } catch {
    return false
  }
}
