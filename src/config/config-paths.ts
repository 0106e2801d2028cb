/**
 * Path rules of the config: relative paths are relative to the config file's
 * folder (so a config and its root can move together), the journal's
 * default home, and how a push target compares with root.
 */
import { createHash } from 'node:crypto'
import { realpath } from 'node:fs/promises'
import { homedir } from 'node:os'
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface StateDirContext {
  readonly uid: number
  readonly env: NodeJS.ProcessEnv
  readonly home?: string
}

/** What the section readers need besides the parsed file. */
export interface ConfigContext extends StateDirContext {
  /** The config file, absolute. */
  readonly file: string
  /** Its folder: relative paths in the file are relative to it. */
  readonly dir: string
}

/**
 * Where journals live when the config does not say: the system's state
 * folder for root, the XDG state folder for other users. A relative
 * XDG_STATE_HOME is ignored, as the XDG spec requires.
 */
export function defaultStateBase (c: StateDirContext): string {
  if (c.uid === 0) return '/var/lib/stalk'
  const xdg = c.env['XDG_STATE_HOME']
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'stalk')
  return join(c.home ?? c.env['HOME'] ?? homedir(), '.local', 'state', 'stalk')
}

/**
 * One folder per root, named after a hash of its absolute path, so that the
 * same config always finds its journal and two mounts never share one. The
 * root's base name in front only makes the folder recognisable to people.
 */
export function stateDirFor (base: string, root: string): string {
  const hash = createHash('sha256').update(root).digest('hex').slice(0, 16)
  const label = basename(root).replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40)
  return join(base, label === '' ? hash : `${label}-${hash}`)
}

/**
 * The local path a push destination names, or undefined for a remote one.
 * rsync's rule: a `:` before the first `/` makes `host:path` / `host::module`
 * remote; `scheme://` is remote except `file://`.
 */
export function localPathOf (destination: string): string | undefined {
  if (/^file:/i.test(destination)) {
    try {
      return fileURLToPath(destination)
    } catch {
      return undefined
    }
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(destination)) return undefined
  const colon = destination.indexOf(':')
  const slash = destination.indexOf('/')
  if (colon >= 0 && (slash < 0 || colon < slash)) return undefined
  return destination
}

export type Overlap = 'same' | 'inside' | 'contains'

/** How path `a` relates to folder `b`: the same, inside it, or containing it. */
export function overlapOf (a: string, b: string): Overlap | undefined {
  if (a === b) return 'same'
  if (a.startsWith(b === sep ? b : b + sep)) return 'inside'
  if (b.startsWith(a === sep ? a : a + sep)) return 'contains'
  return undefined
}

/**
 * The canonical path: symlinks resolved where the path exists, the missing
 * tail appended lexically, so "/srv/x/", "/srv/./x" and a symlink to it all
 * compare equal whether or not the folder exists yet.
 */
export async function canonicalPath (p: string): Promise<string> {
  const abs = resolve(p)
  try {
    return await realpath(abs)
  } catch {
    const parent = dirname(abs)
    if (parent === abs) return abs
    return join(await canonicalPath(parent), basename(abs))
  }
}
