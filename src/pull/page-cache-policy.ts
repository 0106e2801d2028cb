/**
 * Which page cache flags each open of a pull file gets, so that a reader
 * holding a file open keeps reading one consistent version while a newer
 * one arrives.
 *
 * The kernel keeps one page cache per file (libfuse 2 gives a path one
 * inode), shared by every handle, and fills it through whichever handle
 * reads. Each of our handles reads the copy it opened (an fd), so the pages
 * hold the bytes of every version read through the cache since it was last
 * dropped. The rule that keeps them to one version:
 *
 * - Only handles of one version, the "cached version", read through the
 *   page cache at any time.
 * - An open of that version keeps the pages (keepCache): warm re-reads
 *   cost no request.
 * - An open of another version while handles of the cached version are
 *   still open bypasses the page cache (directIo), and keeps the pages
 *   those handles use (keepCache, else the open would drop them).
 * - An open of another version when no handle reads through the cache
 *   drops the pages (no keepCache) and makes its version the cached one.
 *
 * Versions are opaque strings (pull-handles.ts: the opened copy's inode and
 * ctime). Pure bookkeeping, no I/O.
 */

export interface PageCacheFlags { readonly directIo: boolean; readonly keepCache: boolean }

interface FileState {
  /** The version whose bytes the page cache may hold; undefined before the first open. */
  version: string | undefined
  /** Open handles reading through the page cache (all of `version`). */
  users: number
}

export class PageCachePolicy {
  readonly #files = new Map<string, FileState>()

  /** The flags for a new handle on `version` of file `name`; pass them to closed() at release. */
  opened (name: string, version: string): PageCacheFlags {
    let s = this.#files.get(name)
    if (s === undefined) {
      s = { version: undefined, users: 0 }
      this.#files.set(name, s)
    }
    if (s.users > 0 && s.version !== version) return { directIo: true, keepCache: true }
    const keepCache = s.version === version
    s.version = version
    s.users++
    return { directIo: false, keepCache }
  }

  /** A handle opened with `flags` was released. */
  closed (name: string, flags: PageCacheFlags): void {
    if (flags.directIo) return
    const s = this.#files.get(name)
    if (s !== undefined && s.users > 0) s.users--
  }
}
