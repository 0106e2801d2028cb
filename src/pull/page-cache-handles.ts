/**
 * Gives every pull handle its page cache flags (page-cache-policy.ts says
 * which): wraps the handle ops so that open answers them with the fd and
 * release returns them. The key is the mount path: libfuse 2 gives a path
 * one inode, and the page cache belongs to that inode.
 */
import { fstatSync } from 'node:fs'
import type { FsOps, OpenedHandle } from '../fuse/fs-ops.js'
import { PageCachePolicy, type PageCacheFlags } from './page-cache-policy.js'

type HandleOps = Required<Pick<FsOps, 'open' | 'release'>>

/** The same ops, with an open that always answers its page cache flags. */
export type CachedHandleOps<T extends HandleOps> = Omit<T, 'open'> & Required<Pick<FsOps<OpenedHandle>, 'open'>>

/**
 * Which copy an fd reads. The inode alone is not enough: once the last fd
 * of a replaced copy closes, the filesystem may give its inode number to a
 * later download. The change time (set when the copy was renamed into
 * place) tells those apart; a copy is never changed in place.
 */
export function versionOf (fd: number): string {
  const st = fstatSync(fd, { bigint: true })
  return `${st.dev}:${st.ino}:${st.ctimeNs}`
}

export function withPageCacheFlags<T extends HandleOps> (ops: T, version: (fd: number) => string = versionOf): CachedHandleOps<T> {
  const policy = new PageCachePolicy()
  const open = new Map<number, { readonly path: string; readonly flags: PageCacheFlags }>()
  return {
    ...ops,
    async open (path, flags, caller) {
      const r = await ops.open(path, flags, caller)
      const fh = typeof r === 'number' ? r : r.fh
      let cache: PageCacheFlags
      try {
        cache = policy.opened(path, version(fh))
      } catch (err) {
        await ops.release(path, fh)
        throw err
      }
      open.set(fh, { path, flags: cache })
      return { fh, ...cache }
    },
    release (path, fh) {
      const closed = (): void => {
        const h = open.get(fh)
        if (h === undefined) return
        open.delete(fh)
        policy.closed(h.path, h.flags)
      }
      // Synchronous when the wrapped release is: pull's closes an fd and returns.
      const r = ops.release(path, fh)
      if (r instanceof Promise) return r.then(closed)
      closed()
      return undefined
    }
  }
}
