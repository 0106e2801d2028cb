/**
 * What an origin failure means for a file in the mount.
 *
 * The origin said the object does not exist → ENOENT, cached copy or not:
 * the origin is the authority on existence, and a file that opens but
 * vanishes from listings would be worse than a missing one. Every other
 * failure (unreachable, timeout, credentials refused, a backend or local
 * bug) leaves a cached copy servable (stale-if-error); without a copy:
 *
 *   forbidden → EACCES      ("Permission denied" tells the operator where to look)
 *   unavailable, timeout, precondition-failed, invalid → EIO
 *   a local system error (ENOSPC in the cache dir, ...) → its own errno
 *   anything else → EIO
 *
 * A timeout answers EIO, not ETIMEDOUT: open(2) callers (cat, cp, nginx)
 * treat EIO as "this file cannot be read now", while ETIMEDOUT from a local
 * open reads as a network socket error; the log and status carry the reason.
 */
import { constants } from 'node:os'
import { BackendError, describe, FsError, type ErrnoName } from '../errors.js'

export type FailureKind = 'gone' | 'servable'

/** Whether a cached copy may still be served after `err`. */
export function failureKind (err: unknown): FailureKind {
  return err instanceof BackendError && err.kind === 'not-found' ? 'gone' : 'servable'
}

function isErrnoName (code: string): code is ErrnoName {
  return Object.hasOwn(constants.errno, code)
}

function isAbort (err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError')
}

function errnoFor (err: unknown): ErrnoName {
  if (err instanceof BackendError) {
    if (err.kind === 'not-found') return 'ENOENT'
    if (err.kind === 'forbidden') return 'EACCES'
    return 'EIO'
  }
  if (isAbort(err)) return 'EINTR'
  const code = (err as { code?: unknown } | null)?.code
  // A Node system error from the cache dir carries a real errno name (ENOSPC, EROFS, EDQUOT).
  return typeof code === 'string' && isErrnoName(code) ? code : 'EIO'
}

/** The FsError to answer for `name` when there is no copy to fall back on. */
export function fsErrorFor (name: string, origin: string, err: unknown): FsError {
  if (err instanceof FsError) return err
  return new FsError(errnoFor(err), `${name}: ${origin}: ${describe(err)}`, { cause: err })
}
