/**
 * The answer of a read-only mount to every op that would change it: EROFS,
 * given explicitly, so no op falls through to a default that could say
 * ENOSYS (tools retry or misreport that) or, worse, succeed.
 */
import { FsError } from '../errors.js'
import type { FsOps } from '../fuse/fs-ops.js'

export type MutatingOps = Required<Pick<FsOps,
  'write' | 'create' | 'truncate' | 'ftruncate' | 'unlink' | 'rename' | 'mkdir' | 'rmdir' | 'symlink' |
  'link' | 'mknod' | 'chmod' | 'chown' | 'utimens' | 'setxattr' | 'removexattr'>>

/** Every mutating op name, for callers (and tests) that need the list. */
export const MUTATING_OPS: readonly (keyof MutatingOps)[] = [
  'write', 'create', 'truncate', 'ftruncate', 'unlink', 'rename', 'mkdir', 'rmdir', 'symlink',
  'link', 'mknod', 'chmod', 'chown', 'utimens', 'setxattr', 'removexattr'
]

function refuse (op: string, path: string): never {
  throw new FsError('EROFS', `${op} ${path}: the pull mount is read-only`)
}

export function readOnlyOps (): MutatingOps {
  return {
    write: path => refuse('write', path),
    create: path => refuse('create', path),
    truncate: path => refuse('truncate', path),
    ftruncate: path => refuse('ftruncate', path),
    unlink: path => refuse('unlink', path),
    rename: from => refuse('rename', from),
    mkdir: path => refuse('mkdir', path),
    rmdir: path => refuse('rmdir', path),
    // symlink and link get the new name second: that is where the refused change would be.
    symlink: (_target, path) => refuse('symlink', path),
    link: (_existing, path) => refuse('link', path),
    mknod: path => refuse('mknod', path),
    chmod: path => refuse('chmod', path),
    chown: path => refuse('chown', path),
    utimens: path => refuse('utimens', path),
    setxattr: path => refuse('setxattr', path),
    removexattr: path => refuse('removexattr', path)
  }
}
