/**
 * What every loopback op shares: the mapping from mount paths to paths under
 * root, the change report, and the facts about the daemon (root or not, its
 * umask) that decide how new entries are finished.
 */
import { fstatSync, openSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { FsError, describe } from '../errors.js'
import type { Logger } from '../logger.js'

export interface LoopbackOptions {
  /** The folder the mount passes through to. */
  readonly root: string
  /**
   * Called after each successful mutating op with the path relative to root,
   * without a leading '/' ('' for root itself). Called once per WRITE, so it
   * must be cheap (a Set add and a timer re-arm).
   */
  readonly onChange: (relPath: string) => void
  readonly log: Logger
}

export interface LoopbackContext {
  /** The path under root for a mount path such as '/a/b'. */
  real(path: string): string
  /** Reports a successful mutation of a mount path. */
  changed(path: string): void
  readonly log: Logger
  /** New entries are handed to the caller that created them (the daemon is root). */
  readonly adoptsEntries: boolean
  /** The daemon's umask, read once: the bits it would strip from modes the kernel already masked. */
  readonly umask: number
}

const SLASH = 0x2f
const dotSegment = /(^|\/)\.\.?(\/|$)/

/**
 * Why root + path never leaves root: libfuse builds `path` from names the
 * kernel looked up one by one, and the kernel never passes '.', '..' or a
 * name containing '/', so the result is a plain descendant of root. The
 * check below costs one string scan and rejects anything else outright.
 * Symlinks are a different matter: ops on the final component use the l*
 * variants (lstat, lchown, lutimes, O_NOFOLLOW, l*xattr); an intermediate
 * component is a directory when the kernel looked it up, and could only be a
 * symlink if it was swapped between that lookup and this op. Node has no
 * openat2(RESOLVE_BENEATH) to close that race, so root must not be writable
 * by anyone the daemon does not trust, other than through the mount.
 */
function mapper (root: string): (path: string) => string {
  const base = root === '/' ? '' : root
  return path => {
    if (path.charCodeAt(0) !== SLASH || (path.includes('/.') && dotSegment.test(path))) {
      throw new FsError('EINVAL', `not a normalized mount path: ${JSON.stringify(path)}`)
    }
    return path === '/' ? root : base + path
  }
}

/** Reads the umask from /proc without the set-and-restore race of process.umask(). */
function readUmask (): number {
  try {
    const m = /^Umask:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))
    if (m?.[1] !== undefined) return parseInt(m[1], 8)
  } catch { /* no /proc: fall through */ }
  // Unknown: assume every bit may be stripped, so new entries always get their mode set.
  return 0o777
}

/**
 * File handles are fds and FsOps promises handles > 0. A daemon started with
 * stdin closed would get fd 0 for the first open, so fill that slot once.
 */
function reserveFdZero (): void {
  try { fstatSync(0) } catch { openSync('/dev/null', 'r') }
}

export function createLoopbackContext (o: LoopbackOptions): LoopbackContext {
  reserveFdZero()
  const { onChange, log } = o
  return {
    real: mapper(resolve(o.root)),
    changed (path) {
      // The op already succeeded on disk: a failing listener must not turn it into an error for the app.
      try { onChange(path.slice(1)) } catch (err) { log.error({ path, err: describe(err) }, 'change listener failed') }
    },
    log,
    adoptsEntries: process.geteuid?.() === 0,
    umask: readUmask()
  }
}
