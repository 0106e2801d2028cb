/**
 * The pull mount's file handles. open brings the cached copy up to date
 * (FileCache.ensure: at open only, never per read) and opens it read-only;
 * the fd is the handle. The fd pins the inode it opened, so a newer version
 * renamed into the cache meanwhile never mixes into this reader's bytes.
 *
 * Sync or async: read, release and fgetattr use fs.*Sync, as the push
 * loopback does (loopback-handles.ts): one local syscall of microseconds,
 * and the sync call saves two threadpool hops per request, which is most of
 * the cost of a cached read. open is async: it may wait for the origin.
 * A file inside a directory origin is opened the same way, by its cache key.
 */
import { closeSync, constants, fstatSync, openSync } from 'node:fs'
import { FsError } from '../errors.js'
import type { FsOps } from '../fuse/fs-ops.js'
import type { ListedVersion } from './cache-meta.js'
import type { PullContext } from './pull-context.js'
import type { PullNode } from './pull-node.js'
import { inoOf } from './tree-path.js'
import { preadFull } from '../files/pread-full.js'

const { O_RDONLY, O_WRONLY, O_RDWR, O_TRUNC, O_CREAT, O_NOFOLLOW } = constants
/** Node has no O_ACCMODE; on Linux it is the two low bits, O_WRONLY | O_RDWR. */
const O_ACCMODE = O_WRONLY | O_RDWR

export type PullHandleOps = Required<Pick<FsOps, 'open' | 'read' | 'release' | 'fgetattr' | 'flush' | 'fsync'>>

function wantsWrite (flags: number): boolean {
  return (flags & O_ACCMODE) !== O_RDONLY || (flags & (O_TRUNC | O_CREAT)) !== 0
}

/**
 * The cache key of the file at `node` with what to check it against: a
 * configured name as it is; a tree file joins the cache by its key, with the
 * version its folder's listing names (a copy older than that is refetched).
 */
async function cacheKeyOf (ctx: PullContext, path: string, node: PullNode): Promise<{ key: string; listed?: ListedVersion }> {
  if (node.kind === 'file') return { key: node.name }
  if (node.kind === 'root') throw new FsError('EISDIR', `${path}: a directory`)
  const n = await ctx.treeNode(node)
  if (n.kind !== 'file') throw new FsError('EISDIR', `${path}: a directory`)
  await ctx.cache.adopt(n.source)
  const { size, mtimeMs, etag } = n.entry
  return { key: n.source.name, listed: { meta: { size, mtimeMs, ...(etag === undefined ? {} : { etag }) }, at: n.listedAt } }
}

export function pullHandleOps (ctx: PullContext): PullHandleOps {
  /** Which cache key (a configured name, or a tree file's) each open fd belongs to, for release. */
  const names = new Map<number, string>()
  const nameOf = (path: string, fh: number): string => {
    const name = names.get(fh)
    if (name === undefined) throw new FsError('EBADF', `${path}: no open handle ${fh}`)
    return name
  }
  return {
    async open (path, flags) {
      const node = ctx.require(path)
      if (wantsWrite(flags)) throw new FsError('EROFS', `${path}: the pull mount is read-only`)
      const { key, listed } = await cacheKeyOf(ctx, path, node)
      // Pinned before ensure: the copy must not be evicted between its fetch and our open.
      ctx.cache.acquire(key)
      try {
        const fd = openSync(await ctx.cache.ensure(key, listed === undefined ? {} : { listed }), O_RDONLY | O_NOFOLLOW)
        names.set(fd, key)
        return fd
      } catch (err) {
        ctx.cache.release(key)
        throw err
      }
    },
    read (path, fh, buf, length, position) {
      nameOf(path, fh)
      return preadFull(fh, buf, length, position)
    },
    release (path, fh) {
      const name = nameOf(path, fh)
      names.delete(fh)
      closeSync(fh)
      ctx.cache.release(name)
    },
    fgetattr (path, fh) {
      nameOf(path, fh)
      // The snapshot this handle reads: its size, and the origin's mtime set at commit.
      const st = fstatSync(fh)
      // A tree file's inode number, as its getattr gives it (configured files have none).
      return ctx.fileStat({ size: st.size, mtimeMs: st.mtimeMs }, ctx.resolve(path)?.kind === 'tree' ? inoOf(path) : 0)
    },
    // Nothing is ever written through a pull handle, so there is nothing to flush.
    flush () {},
    fsync () {}
  }
}
