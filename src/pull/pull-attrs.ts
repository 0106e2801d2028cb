/**
 * The pull mount's lookup and attribute ops. getattr of a file answers the
 * origin's real size (FileCache.attrs), never a placeholder: the kernel cuts
 * reads at the size it was told. Everything here is in memory or, for
 * getattr of a file that is not fresh, one stat at the origin (async).
 * Inside a directory origin, getattr and readdir answer from the folder's
 * listing (tree-index.ts), which may list that folder first.
 */
import { constants, statfsSync } from 'node:fs'
import { FsError } from '../errors.js'
import type { FsOps, StatFs } from '../fuse/fs-ops.js'
import type { PullContext } from './pull-context.js'

const { W_OK, X_OK } = constants
/** statvfs's ST_RDONLY: the mount says it is read-only. */
const ST_RDONLY = 1

export type PullAttrOps = Required<Pick<FsOps,
  'getattr' | 'readdir' | 'statfs' | 'access' | 'readlink' | 'getxattr' | 'listxattr'>>

/** The cache dir's filesystem: the space a pull mount can use is the space its cache can. */
function statFsOf (dir: string): StatFs {
  const s = statfsSync(dir)
  return {
    bsize: s.bsize, frsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail,
    files: s.files, ffree: s.ffree, favail: s.ffree, fsid: 0, flag: ST_RDONLY, namemax: 255
  }
}

export function pullAttrOps (ctx: PullContext): PullAttrOps {
  /** What `path` is, or ENOENT; inside a tree that takes its folder's listing. */
  const kindOf = async (path: string): Promise<'dir' | 'file'> => {
    const node = ctx.require(path)
    if (node.kind === 'root') return 'dir'
    if (node.kind === 'file') return 'file'
    return (await ctx.treeNode(node)).kind
  }
  return {
    async getattr (path) {
      const node = ctx.require(path)
      if (node.kind === 'root') return ctx.rootStat()
      if (node.kind === 'file') return ctx.fileStat(await ctx.cache.attrs(node.name))
      return await ctx.treeStat(path, node)
    },
    async readdir (path) {
      const node = ctx.require(path)
      if (node.kind === 'root') return ctx.cache.names()
      if (node.kind === 'file') throw new FsError('ENOTDIR', `${path}: not a directory`)
      const tree = ctx.cache.trees.get(node.name)
      if (tree === undefined) throw new FsError('ENOENT', `${path}: not a configured folder`)
      return (await tree.list(node.rel)).map(e => e.name)
    },
    async statfs (path) {
      await kindOf(path)
      return statFsOf(ctx.cache.dir)
    },
    async access (path, mode) {
      const kind = await kindOf(path)
      if ((mode & W_OK) !== 0) throw new FsError('EROFS', `${path}: the pull mount is read-only`)
      if ((mode & X_OK) !== 0 && kind === 'file') throw new FsError('EACCES', `${path}: not executable`)
    },
    async readlink (path) {
      await kindOf(path)
      throw new FsError('EINVAL', `${path}: not a symlink`)
    },
    async getxattr (path, name) {
      await kindOf(path)
      throw new FsError('ENODATA', `${path}: no xattr ${name}`)
    },
    async listxattr (path) {
      await kindOf(path)
      return []
    }
  }
}
