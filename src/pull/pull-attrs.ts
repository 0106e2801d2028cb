/**
 * The pull mount's lookup and attribute ops. getattr of a file answers the
 * origin's real size (FileCache.attrs), never a placeholder: the kernel cuts
 * reads at the size it was told. Everything here is in memory or, for
 * getattr of a file that is not fresh, one stat at the origin (async).
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
  return {
    async getattr (path) {
      const node = ctx.require(path)
      return node.kind === 'root' ? ctx.rootStat() : ctx.fileStat(await ctx.cache.attrs(node.name))
    },
    readdir (path) {
      if (ctx.require(path).kind !== 'root') throw new FsError('ENOTDIR', `${path}: not a directory`)
      return ctx.cache.names()
    },
    statfs (path) {
      ctx.require(path)
      return statFsOf(ctx.cache.dir)
    },
    access (path, mode) {
      const node = ctx.require(path)
      if ((mode & W_OK) !== 0) throw new FsError('EROFS', `${path}: the pull mount is read-only`)
      if ((mode & X_OK) !== 0 && node.kind === 'file') throw new FsError('EACCES', `${path}: not executable`)
    },
    readlink (path) {
      ctx.require(path)
      throw new FsError('EINVAL', `${path}: not a symlink`)
    },
    getxattr (path, name) {
      ctx.require(path)
      throw new FsError('ENODATA', `${path}: no xattr ${name}`)
    },
    listxattr (path) {
      ctx.require(path)
      return []
    }
  }
}
