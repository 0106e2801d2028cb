/**
 * Push mode's filesystem: a loopback (passthrough) of the local folder
 * `root`. Every op is done on root + path with the caller's arguments; Node's
 * system errors propagate unchanged, so the adapter answers their errno.
 *
 * After each successful mutating op `onChange(relPath)` is called (never
 * after a failed one): create, write, truncate, ftruncate, open with O_TRUNC,
 * unlink, mkdir, rmdir, symlink, link (the new name), mknod, chmod, chown,
 * utimens, setxattr, removexattr, and rename (both names). Reads, stats,
 * opens without O_TRUNC, flush, fsync and release never call it.
 *
 * The ops are grouped by kind, each file saying per op why it is sync or
 * async: handles (loopback-handles.ts), names (loopback-tree.ts), attributes
 * (loopback-attrs.ts), xattrs (loopback-xattr.ts).
 */
import type { FsOps } from '../fuse/fs-ops.js'
import { attrOps } from './loopback-attrs.js'
import { createLoopbackContext, type LoopbackOptions } from './loopback-context.js'
import { handleOps } from './loopback-handles.js'
import { treeOps } from './loopback-tree.js'
import { xattrOps } from './loopback-xattr.js'

export type { LoopbackOptions } from './loopback-context.js'

/** Every op of FsOps that a loopback can do: all of them, non-optional. */
export type LoopbackFs = Required<Omit<FsOps<number>, 'init' | 'destroy'>>

export function createLoopbackFs (options: LoopbackOptions): LoopbackFs {
  const ctx = createLoopbackContext(options)
  return { ...handleOps(ctx), ...treeOps(ctx), ...attrOps(ctx), ...xattrOps(ctx) }
}
