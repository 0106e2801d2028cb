/**
 * Writes /sbin/mount.fuse.stalk: the shim of fstab-helper/mount.fuse.stalk
 * with the absolute paths of node and of this checkout's built helper filled
 * in, so that mount(8) finds stalk without npm or PATH. Idempotent; a file
 * of the same name that is not ours (no marker line) is left alone unless
 * `force` is given, since it may be another package's helper.
 */
import { lstat, readFile, rename, rm, writeFile, chmod } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const HELPER_NAME = 'mount.fuse.stalk'
/** The line that marks a file as written by us (it is in the template). */
export const HELPER_MARKER = '# stalk-mount-helper '

export interface InstallOptions {
  /** The folder mount(8) searches: /sbin (the default), /sbin/fs.d or /sbin/fs. */
  readonly prefix?: string
  /** Replace (or remove) a file of that name that is not ours. */
  readonly force?: boolean
  /** The node to record; default this process's. */
  readonly node?: string
  /** The helper program to record; default dist/fstab-helper/main.js of this checkout. */
  readonly helper?: string
}

export type InstallOutcome = 'installed' | 'updated' | 'unchanged' | 'replaced'

/** This checkout: the code runs from dist/fstab-helper (built) or fstab-helper (tests on the sources). */
export function projectRoot (): string {
  const root = dirname(dirname(fileURLToPath(import.meta.url)))
  return basename(root) === 'dist' ? dirname(root) : root
}

/** Quotes one word for sh: nothing inside '…' is expanded. */
export function shellQuote (word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`
}

/** The shim's text: the template with both paths filled in. */
export function renderHelper (template: string, node: string, helper: string): string {
  for (const p of [node, helper]) if (!isAbsolute(p)) throw new Error(`${p} is not an absolute path`)
  return template.replace('@NODE@', shellQuote(node)).replace('@HELPER@', shellQuote(helper))
}

export function isOurHelper (text: string): boolean {
  return text.split('\n').some(line => line.startsWith(HELPER_MARKER))
}

export async function installHelper (o: InstallOptions = {}): Promise<{ readonly path: string; readonly outcome: InstallOutcome }> {
  const path = join(o.prefix ?? '/sbin', HELPER_NAME)
  const helper = o.helper ?? join(projectRoot(), 'dist/fstab-helper/main.js')
  if (!await exists(helper)) throw new Error(`${helper} does not exist: run \`npm run build\` first`)
  const template = await readFile(join(projectRoot(), 'fstab-helper', HELPER_NAME), 'utf8')
  const text = renderHelper(template, o.node ?? process.execPath, helper)
  const before = await existing(path, o.force === true)
  if (before === text) return { path, outcome: 'unchanged' }
  // A new file renamed over the old one: mount(8) never runs a half-written helper.
  const tmp = `${path}.new-${process.pid}`
  try {
    await writeFile(tmp, text, { mode: 0o755 })
    await chmod(tmp, 0o755) // the umask may have taken bits away
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
  const outcome = before === undefined ? 'installed' : isOurHelper(before) ? 'updated' : 'replaced'
  return { path, outcome }
}

export async function uninstallHelper (o: Pick<InstallOptions, 'prefix' | 'force'> = {}): Promise<{ readonly path: string; readonly outcome: 'removed' | 'absent' }> {
  const path = join(o.prefix ?? '/sbin', HELPER_NAME)
  if (await existing(path, o.force === true) === undefined) return { path, outcome: 'absent' }
  await rm(path)
  return { path, outcome: 'removed' }
}

/** The text of the file at `path` (undefined when there is none); throws if it is not ours and not forced. */
async function existing (path: string, force: boolean): Promise<string | undefined> {
  const st = await lstat(path).catch((err: NodeJS.ErrnoException) => { if (err.code === 'ENOENT') return undefined; throw err })
  if (st === undefined) return undefined
  if (st.isDirectory()) throw new Error(`${path} is a directory`)
  const text = st.isFile() ? await readFile(path, 'utf8') : ''
  if (!isOurHelper(text) && !force) {
    throw new Error(`${path} exists and was not written by stalk (${st.isSymbolicLink() ? 'a symlink' : 'no stalk marker'}); --force replaces it`)
  }
  return text
}

async function exists (path: string): Promise<boolean> {
  return lstat(path).then(() => true, () => false)
}
