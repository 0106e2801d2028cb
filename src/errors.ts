import { constants } from 'node:os'

/** Errno names the FUSE layer may answer with; each maps to Linux's number via os.constants. */
export type ErrnoName = keyof typeof constants.errno

/**
 * The one error type of the filesystem layer: it carries the errno the kernel
 * should see. Node system errors (with a `code` such as 'ENOENT') pass through
 * unchanged and are mapped by `toErrno`; anything else becomes a logged EIO.
 */
export class FsError extends Error {
  readonly code: ErrnoName
  constructor (code: ErrnoName, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'FsError'
    this.code = code
  }
}

/** A negative errno for fuse-native, or undefined when `err` carries no errno we know. */
export function errnoOf (err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined
  const code = (err as { code?: unknown }).code
  if (typeof code !== 'string') return undefined
  const n = (constants.errno as Record<string, number | undefined>)[code]
  return n === undefined ? undefined : -n
}

/** Errors from backends carry a kind, not an errno; this is their one mapping to errno. */
export type BackendErrorKind = 'not-found' | 'forbidden' | 'unavailable' | 'timeout' | 'precondition-failed' | 'invalid'

const kindToErrno: Record<BackendErrorKind, ErrnoName> = {
  'not-found': 'ENOENT',
  forbidden: 'EACCES',
  unavailable: 'EIO',
  timeout: 'ETIMEDOUT',
  'precondition-failed': 'ESTALE',
  invalid: 'EINVAL'
}

export class BackendError extends Error {
  readonly kind: BackendErrorKind
  readonly code: ErrnoName
  constructor (kind: BackendErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'BackendError'
    this.kind = kind
    this.code = kindToErrno[kind]
  }
}

/** Text for logs and CLI messages without stack noise. */
export function describe (err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}
