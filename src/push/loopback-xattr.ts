/**
 * Extended attributes for the loopback. Node has no xattr API; @napi-rs/xattr
 * ships prebuilt N-API binaries (no build at install) and calls the l*xattr
 * variants, so a symlink's own attributes are read, never its target's.
 *
 * Its wrapper has three gaps this file fills:
 * - errors carry no `code`, only Rust's "… (os error N)" text: N becomes an
 *   FsError with the errno's name;
 * - getAttribute answers null for every failure: a null is told apart with
 *   listxattr (which does throw), so a missing file still says ENOENT;
 * - no XATTR_CREATE/XATTR_REPLACE: checked with listxattr before the set.
 *   That check and the set are two syscalls, so two writers racing on one
 *   attribute of one file can both pass it; nothing else is lost.
 * All calls are sync: one local syscall each, like getattr.
 */
import { getAttributeSync, listAttributesSync, removeAttributeSync, setAttributeSync } from '@napi-rs/xattr'
import { constants } from 'node:os'
import { FsError, type ErrnoName } from '../errors.js'
import type { FsOps } from '../fuse/fs-ops.js'
import type { LoopbackContext } from './loopback-context.js'

export type XattrOps = Required<Pick<FsOps, 'setxattr' | 'getxattr' | 'listxattr' | 'removexattr'>>

const XATTR_CREATE = 1
const XATTR_REPLACE = 2

const errnoNames = new Map<number, ErrnoName>()
for (const [name, n] of Object.entries(constants.errno)) {
  if (!errnoNames.has(n)) errnoNames.set(n, name as ErrnoName)
}

/** Runs a binding call, giving its error the errno code the adapter maps; others pass through. */
function native<T> (fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    const m = err instanceof Error ? /\(os error (\d+)\)$/.exec(err.message) : null
    const name = m?.[1] === undefined ? undefined : errnoNames.get(Number(m[1]))
    if (name === undefined) throw err
    throw new FsError(name, (err as Error).message, { cause: err })
  }
}

function has (real: string, name: string): boolean {
  return native(() => listAttributesSync(real)).includes(name)
}

function checkFlags (real: string, name: string, flags: number): void {
  if ((flags & ~(XATTR_CREATE | XATTR_REPLACE)) !== 0 || flags === (XATTR_CREATE | XATTR_REPLACE)) {
    throw new FsError('EINVAL', `setxattr flags ${flags}`)
  }
  if (flags === XATTR_CREATE && has(real, name)) throw new FsError('EEXIST', `xattr ${name} exists`)
  if (flags === XATTR_REPLACE && !has(real, name)) throw new FsError('ENODATA', `no xattr ${name}`)
}

function getValue (real: string, name: string): Buffer {
  const v = getAttributeSync(real, name)
  if (v !== null) return v
  // listxattr throws the path's own error (ENOENT, ENOTDIR, EOPNOTSUPP…); if it lists the name, the
  // value vanished in between or was unreadable: ask once more, then admit an I/O error.
  if (!has(real, name)) throw new FsError('ENODATA', `no xattr ${name}`)
  const again = getAttributeSync(real, name)
  if (again === null) throw new FsError('EIO', `xattr ${name} is listed but cannot be read`)
  return again
}

export function xattrOps (ctx: LoopbackContext): XattrOps {
  return {
    setxattr (path, name, value, flags) {
      const real = ctx.real(path)
      if (flags !== 0) checkFlags(real, name, flags)
      native(() => { setAttributeSync(real, name, value) })
      ctx.changed(path)
    },
    getxattr: (path, name) => getValue(ctx.real(path), name),
    listxattr (path) {
      const real = ctx.real(path)
      return native(() => listAttributesSync(real))
    },
    removexattr (path, name) {
      const real = ctx.real(path)
      native(() => { removeAttributeSync(real, name) })
      ctx.changed(path)
    }
  }
}
