/**
 * Hands the changed paths to a command through files, not argv: a round can
 * change thousands of paths (argv has a size limit), and a file name may hold
 * any character. Two files: one path a line, and one NUL-terminated for
 * names that contain a newline (`xargs -0`).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface ChangedList {
  /** One path a line, relative to root. */
  readonly file: string
  /** Each path followed by a NUL byte. */
  readonly file0: string
  readonly count: number
  /** Removes both files. */
  dispose(): Promise<void>
}

/** Writes the lists into a private temporary folder (mode 0700, files 0600). */
export async function writeChangedList (changed: Iterable<string>): Promise<ChangedList> {
  const paths = [...changed].sort()
  const dir = await mkdtemp(join(tmpdir(), 'stalk-changed-'))
  try {
    const file = join(dir, 'changed')
    const file0 = join(dir, 'changed0')
    await writeFile(file, paths.map(p => p + '\n').join(''), { mode: 0o600 })
    await writeFile(file0, paths.map(p => p + '\0').join(''), { mode: 0o600 })
    return { file, file0, count: paths.length, dispose: () => rm(dir, { recursive: true, force: true }) }
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    throw err
  }
}
