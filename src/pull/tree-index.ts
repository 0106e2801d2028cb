/**
 * The folders of one directory origin (an origin ending in '/'), listed
 * lazily: a folder is listed when something looks into it (readdir, or a
 * lookup of a name in it), never its subfolders with it.
 *
 * - A listing is served without asking the origin for `dir_cachetime`
 *   after it was fetched; it is kept on disk (listing-store.ts), so a
 *   remount reuses fresh listings, and the recently used ones in memory
 *   (listing-lru.ts). One listing per folder at a time (single-flight.ts).
 * - Stale listings are fetched again only through their parent's listing,
 *   itself revalidated when stale, so a folder that vanished upstream is
 *   ENOENT even on S3, where listing a missing prefix just finds nothing.
 * - Listing fails: a cached listing is served (one warning per new error)
 *   and asked for again after dir_cachetime; without one, the errno of
 *   origin-failure.ts (EIO mostly). The origin says the folder is gone: ENOENT.
 * - Names from the origin that are not safe file names are skipped with a
 *   warning (tree-path.ts), before anything is stored.
 *
 * Files are served by the FileCache: node() gives the CachedFileConfig of a
 * file (its cache key is "<tree name>/<path in the tree>"), and the size and
 * mtime of its listing, so a stat never downloads anything.
 */
import type { Backend, ListEntry } from '../../backends/backend.js'
import { BackendError, describe, FsError } from '../errors.js'
import type { Logger } from '../logger.js'
import type { Clock } from '../push/clock.js'
import type { CachedFileConfig } from './cache-entry.js'
import { signalled } from './cache-refresher.js'
import { ListingLru } from './listing-lru.js'
import type { ListingStore, StoredListing, TreeEntry } from './listing-store.js'
import { failureKind, fsErrorFor } from './origin-failure.js'
import { RefreshMarks } from './refresh-marks.js'
import { covers } from './refresh-scope.js'
import { SingleFlight } from './single-flight.js'
import { baseOf, parentOf, unsafeName } from './tree-path.js'

export interface TreeIndexOptions {
  /** The folder's name in the mount. */
  readonly name: string
  /** As configured, ending in '/'. */
  readonly origin: string
  readonly backend: Backend
  /** The top folder's path within the backend. */
  readonly path: string
  /** For the files, as for a file origin. */
  readonly cachetimeMs: number
  readonly dirCachetimeMs: number
  readonly store: ListingStore
  readonly clock: Clock
  readonly log: Logger
  /** Aborted when the mount stops: listings in flight stop. */
  readonly closing: AbortSignal
  readonly maxEntriesInMemory?: number
}

export type TreeNode =
  | { readonly kind: 'dir'; readonly rel: string; readonly path: string; readonly mtimeMs: number }
  | { readonly kind: 'file'; readonly rel: string; readonly entry: TreeEntry; readonly listedAt: number; readonly source: CachedFileConfig }

export class TreeIndex {
  readonly #o: TreeIndexOptions
  readonly #lru: ListingLru
  readonly #flights = new SingleFlight<string, StoredListing>()
  /** Folders whose last listing failed: the error (warned about on change only) and when to ask again. */
  readonly #failures = new Map<string, { readonly message: string; readonly retryAt: number }>()
  /** Folders whose unsafe names were warned about: once per run, not at every listing. */
  readonly #warnedUnsafe = new Set<string>()
  /** Folders `stem refresh` named: their listings (and those below) count as stale. */
  readonly #refreshMarks = new RefreshMarks()

  constructor (o: TreeIndexOptions) {
    this.#o = o
    this.#lru = new ListingLru(o.maxEntriesInMemory)
  }

  get name (): string { return this.#o.name }

  /** What `rel` is ('' is the top folder); ENOENT when the listing of its folder does not have it. */
  async node (rel: string, signal?: AbortSignal): Promise<TreeNode> {
    if (rel === '') return { kind: 'dir', rel, path: this.#o.path, mtimeMs: 0 }
    const parent = await this.#listing(parentOf(rel), signal)
    const entry = parent.entries.get(baseOf(rel))
    if (entry === undefined) throw new FsError('ENOENT', `${this.#where(rel)}: not in the origin's listing`)
    if (entry.type === 'dir') return { kind: 'dir', rel, path: entry.path, mtimeMs: entry.mtimeMs }
    return { kind: 'file', rel, entry, listedAt: parent.fetchedAt, source: this.#source(rel, entry) }
  }

  /** The entries of folder `rel` (ENOTDIR for a file). */
  async list (rel: string, signal?: AbortSignal): Promise<readonly TreeEntry[]> {
    return [...(await this.#listing(rel, signal)).entries.values()]
  }

  /**
   * Listings of folder `rel` ('' for the whole tree) and of every folder
   * below it count as stale from now on, failing ones included: the next
   * look into each lists it again (`stem refresh`).
   */
  expire (rel: string): void {
    this.#refreshMarks.mark(rel, this.#o.clock.now())
    for (const dir of [...this.#failures.keys()]) if (covers(rel, dir)) this.#failures.delete(dir)
  }

  /** Waits for listings in flight (the closing signal stops them). */
  async close (): Promise<void> {
    await this.#flights.idle()
  }

  async #listing (rel: string, signal: AbortSignal | undefined): Promise<StoredListing> {
    const known = this.#lru.get(rel) ?? await this.#load(rel)
    if (known !== undefined && this.#servable(known)) return known
    return await this.#flights.run(rel, s => this.#refresh(rel, s), signal)
  }

  async #load (rel: string): Promise<StoredListing | undefined> {
    const l = await this.#o.store.read(rel)
    if (l !== undefined) this.#lru.set(l)
    return l
  }

  /** Fresh, or failed lately and so served as it is until the next try. */
  #servable (l: StoredListing): boolean {
    if (this.#refreshMarks.staleSince(l.dir, l.fetchedAt)) return false
    const now = this.#o.clock.now()
    const age = now - l.fetchedAt
    // A fetchedAt in the future (the clock was set back) counts as stale, as for files.
    if (age >= 0 && age < this.#o.dirCachetimeMs) return true
    const f = this.#failures.get(l.dir)
    return f !== undefined && now < f.retryAt
  }

  async #refresh (rel: string, signal: AbortSignal): Promise<StoredListing> {
    // Another flight may have just written it.
    const old = this.#lru.get(rel) ?? await this.#load(rel)
    if (old !== undefined && this.#servable(old)) return old
    const path = rel === '' ? this.#o.path : await this.#folderPath(rel, signal)
    try {
      const entries = this.#safe(rel, this.#listRemote(path, AbortSignal.any([signal, this.#o.closing])))
      await this.#o.store.write(rel, path, this.#o.clock.now(), entries)
    } catch (err) {
      return await this.#failed(rel, old, err)
    }
    const fresh = await this.#load(rel)
    if (fresh === undefined) throw new FsError('EIO', `${this.#where(rel)}: the listing just stored cannot be read back`)
    if (this.#failures.delete(rel)) this.#o.log.info({ tree: this.#o.name, dir: rel }, 'listing works again')
    return fresh
  }

  /** The backend path of folder `rel`, from its parent's listing; a folder that is gone is forgotten. */
  async #folderPath (rel: string, signal: AbortSignal): Promise<string> {
    let n: TreeNode
    try {
      n = await this.node(rel, signal)
    } catch (err) {
      if (err instanceof FsError && err.code === 'ENOENT') await this.#forget(rel)
      throw err
    }
    if (n.kind === 'dir') return n.path
    await this.#forget(rel)
    throw new FsError('ENOTDIR', `${this.#where(rel)}: a file, not a folder`)
  }

  #listRemote (path: string, signal: AbortSignal): AsyncIterable<ListEntry> {
    const b = this.#o.backend
    if (b.list === undefined) throw new BackendError('invalid', `${b.name} cannot list folders`)
    return b.list(path, { signal })
  }

  /** The entries to store: safe names only, the others named in one warning per folder. */
  async * #safe (rel: string, src: AsyncIterable<ListEntry>): AsyncGenerator<TreeEntry> {
    const skipped: string[] = []
    for await (const e of src) {
      const why = unsafeName(e.name)
      if (why !== undefined) { skipped.push(`${JSON.stringify(e.name)} (${why})`); continue }
      const { size, mtimeMs, etag } = e.meta
      yield { name: e.name, type: e.type, size, mtimeMs, ...(etag === undefined ? {} : { etag }), path: e.path }
    }
    if (skipped.length > 0 && !this.#warnedUnsafe.has(rel)) {
      this.#warnedUnsafe.add(rel)
      this.#o.log.warn({ tree: this.#o.name, dir: rel, count: skipped.length, names: skipped.slice(0, 10) },
        'names from the origin that cannot be file names here were skipped')
    }
  }

  /** Stale-if-error for listings (see the file comment): the listing to serve, or the FsError. */
  async #failed (rel: string, old: StoredListing | undefined, err: unknown): Promise<StoredListing> {
    const where = this.#where(rel)
    if (signalled(err)) throw fsErrorFor(where, this.#o.origin, err)
    if (failureKind(err) === 'gone') {
      await this.#forget(rel)
      throw fsErrorFor(where, this.#o.origin, err)
    }
    const message = describe(err)
    const before = this.#failures.get(rel)
    this.#failures.set(rel, { message, retryAt: this.#o.clock.now() + this.#o.dirCachetimeMs })
    if (before?.message !== message) {
      this.#o.log.warn({ tree: this.#o.name, dir: rel, origin: this.#o.origin, err: message },
        old === undefined ? 'listing failed; no cached listing' : 'listing failed; serving the cached listing')
    }
    if (old === undefined) throw fsErrorFor(where, this.#o.origin, err)
    return old
  }

  async #forget (rel: string): Promise<void> {
    this.#lru.delete(rel)
    this.#failures.delete(rel)
    await this.#o.store.remove(rel)
  }

  #source (rel: string, entry: TreeEntry): CachedFileConfig {
    const { name, origin, backend, cachetimeMs } = this.#o
    return { name: `${name}/${rel}`, origin: `${origin}${rel}`, backend, path: entry.path, cachetimeMs }
  }

  #where (rel: string): string {
    return rel === '' ? this.#o.name : `${this.#o.name}/${rel}`
  }
}
