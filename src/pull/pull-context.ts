/**
 * What the pull mount's ops share: the cache they read through, who owns
 * the files, the root folder's times, and how attributes become a Stat
 * (mode 0444 for files, 0555 for folders: nothing in the mount is writable
 * or executable).
 *
 * A path inside a directory origin is answered from its folder's listing:
 * its size and mtime, or the cached copy's once that is newer than the
 * listing (open fetched a newer version), so a stat never downloads.
 */
import { constants } from 'node:fs'
import { FsError } from '../errors.js'
import type { Stat } from '../fuse/fs-ops.js'
import type { Logger } from '../logger.js'
import { systemClock, type Clock } from '../push/clock.js'
import type { CacheMeta } from './cache-meta.js'
import type { FileAttrs, FileCache } from './file-cache.js'
import { resolvePullNode, requirePullNode, type MountShape, type PullNode } from './pull-node.js'
import type { TreeNode } from './tree-index.js'
import { inoOf } from './tree-path.js'

const { S_IFREG, S_IFDIR } = constants

/** The part of FileCache the mount uses. */
export type PullCache = Pick<FileCache, 'dir' | 'names' | 'has' | 'attrs' | 'ensure' | 'acquire' | 'release' |
  'trees' | 'adopt' | 'copyOf'>

export type TreePath = Extract<PullNode, { kind: 'tree' }>

export interface PullFsOptions {
  readonly cache: PullCache
  readonly log: Logger
  /** For the root folder's times (when the mount was made). */
  readonly clock?: Clock
  /** Owner of every entry; default the daemon's own ids. */
  readonly uid?: number
  readonly gid?: number
}

export interface PullContext {
  readonly cache: PullCache
  readonly log: Logger
  resolve(path: string): PullNode | undefined
  require(path: string): PullNode
  fileStat(a: FileAttrs, ino?: number): Stat
  rootStat(): Stat
  /** What a path in a tree is, from its folder's listing; ENOENT when the listing does not have it. */
  treeNode(t: TreePath): Promise<TreeNode>
  treeStat(path: string, t: TreePath): Promise<Stat>
}

/** A tree file's attributes: the listing's, unless the cached copy was confirmed after it. */
function listedAttrs (n: Extract<TreeNode, { kind: 'file' }>, copy: CacheMeta | undefined): FileAttrs {
  if (copy !== undefined && copy.fetchedAt >= n.listedAt) return { size: copy.local.size, mtimeMs: copy.meta.mtimeMs }
  return { size: n.entry.size, mtimeMs: n.entry.mtimeMs }
}

export function createPullContext (o: PullFsOptions): PullContext {
  const uid = o.uid ?? process.getuid?.() ?? 0
  const gid = o.gid ?? process.getgid?.() ?? 0
  const mountedAt = (o.clock ?? systemClock).now()
  const shape: MountShape = { isFile: name => o.cache.has(name), isTree: name => o.cache.trees.has(name) }
  const base = { uid, gid, dev: 0, ino: 0, rdev: 0, blksize: 4096 }
  // A folder's link count is not known (a listing does not count subfolders): 1 says so to find and fts.
  const dirStat = (mtimeMs: number, ino: number, nlink: number): Stat => ({
    ...base, ino, mode: S_IFDIR | 0o555, nlink, size: 4096, blocks: 8, atimeMs: mtimeMs, mtimeMs, ctimeMs: mtimeMs
  })
  const fileStat = (a: FileAttrs, ino = 0): Stat => ({
    ...base, ino, mode: S_IFREG | 0o444, nlink: 1, size: a.size, blocks: Math.ceil(a.size / 512),
    atimeMs: a.mtimeMs, mtimeMs: a.mtimeMs, ctimeMs: a.mtimeMs
  })
  const treeNode = async (t: TreePath): Promise<TreeNode> => {
    const tree = o.cache.trees.get(t.name)
    if (tree === undefined) throw new FsError('ENOENT', `${t.name}: not a configured folder`)
    return await tree.node(t.rel)
  }
  return {
    cache: o.cache,
    log: o.log,
    resolve: path => resolvePullNode(path, shape),
    require: path => requirePullNode(path, shape),
    fileStat,
    rootStat: () => dirStat(mountedAt, 0, 2),
    treeNode,
    treeStat: async (path, t) => {
      const n = await treeNode(t)
      // S3 prefixes have no time of their own: the mount's stands in.
      if (n.kind === 'dir') return dirStat(n.mtimeMs > 0 ? n.mtimeMs : mountedAt, inoOf(path), 1)
      return fileStat(listedAttrs(n, o.cache.copyOf(n.source.name)), inoOf(path))
    }
  }
}
