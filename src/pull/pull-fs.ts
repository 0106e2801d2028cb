/**
 * Pull mode's filesystem: a read-only folder with one file per configured
 * name, each served from the FileCache (file-cache.ts), which fetches it
 * from its origin on demand.
 *
 * The ops are grouped by kind: lookups and attributes (pull-attrs.ts), file
 * handles (pull-handles.ts, with the page cache flags of page-cache-handles.ts),
 * and every mutating op, which answers EROFS (read-only-ops.ts). Paths
 * resolve through pull-node.ts, the one place that knows the mount's shape.
 */
import type { FsOps, OpenedHandle } from '../fuse/fs-ops.js'
import { withPageCacheFlags } from './page-cache-handles.js'
import { pullAttrOps } from './pull-attrs.js'
import { createPullContext, type PullFsOptions } from './pull-context.js'
import { pullHandleOps } from './pull-handles.js'
import { readOnlyOps } from './read-only-ops.js'

export type { PullCache, PullFsOptions } from './pull-context.js'

/** Every op of FsOps a pull mount answers: all of them, most with EROFS; open with page cache flags. */
export type PullFs = Required<Omit<FsOps, 'init' | 'destroy' | 'open'> & Pick<FsOps<OpenedHandle>, 'open'>>

export function createPullFs (options: PullFsOptions): PullFs {
  const ctx = createPullContext(options)
  return { ...pullAttrOps(ctx), ...withPageCacheFlags(pullHandleOps(ctx)), ...readOnlyOps() }
}
