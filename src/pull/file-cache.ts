/**
 * Pull mode's on-disk cache of remote files (layout: cache-layout.ts).
 *
 * - ensure(name): a path to a current local copy, for open. Fresh (younger
 *   than cachetime) → no network. Stale → a conditional fetch with the
 *   sidecar's validator; not-modified only rewrites the sidecar. One fetch
 *   per name at a time, shared by every caller (single-flight.ts).
 * - attrs(name): size and mtime for getattr, never a placeholder: a fresh
 *   copy answers from its sidecar; otherwise the origin's stat (memoized for
 *   cachetime) answers, which costs a round trip but no download, so an
 *   `ls -l` of the mount does not fetch every file. The stat of a stale copy
 *   is asked too, because the kernel cuts reads at the size getattr gave.
 * - Origin failures: see origin-failure.ts. A served stale copy stays stale,
 *   so the next open asks again.
 * - cache_max_size: least recently used copies are removed beyond it, never
 *   one that is open (acquire/release) or being fetched (cache-evictor.ts).
 * - Directory origins (configs with dirCachetimeMs) are folders: their
 *   listings are `trees` (tree-set.ts); each of their files joins the cache
 *   when first opened (adopt), under the key "<tree>/<path in the tree>".
 * - refresh(names): `stem refresh`. The copies are marked stale, not
 *   deleted, so the next open revalidates (a conditional request) and a
 *   dead origin still gets the copy served.
 */
import { statSync } from 'node:fs'
import { rm, rmdir } from 'node:fs/promises'
import { FsError } from '../errors.js'
import type { Logger } from '../logger.js'
import { systemClock, type Clock } from '../push/clock.js'
import { CacheEntry, type CachedFileConfig, type FileStatus } from './cache-entry.js'
import { loadCacheContents, type CacheContents } from './cache-contents.js'
import { CacheEvictor } from './cache-evictor.js'
import type { CacheLayout } from './cache-layout.js'
import { attrsOf, CacheRefresher, type FileAttrs } from './cache-refresher.js'
import { outdatedBy, type CacheMeta, type ListedVersion } from './cache-meta.js'
import { fsErrorFor } from './origin-failure.js'
import { RefreshMarks } from './refresh-marks.js'
import { covers, refreshScopes, scopePrefix } from './refresh-scope.js'
import { SingleFlight } from './single-flight.js'
import type { TreeSet } from './tree-set.js'

export type { CachedFileConfig, FileStatus } from './cache-entry.js'
export type { FileAttrs } from './cache-refresher.js'

export interface FileCacheOptions {
  readonly dir: string
  readonly files: readonly CachedFileConfig[]
  readonly log: Logger
  readonly clock?: Clock
  /** cache_max_size in bytes; absent = unlimited. */
  readonly maxBytes?: number
  /** true: reuse copies a previous run left. false: a private dir, started empty and emptied by close(). */
  readonly persistent: boolean
}

export interface CallOptions { readonly signal?: AbortSignal }

/** What a refresh did, for `stem refresh` to report. */
export interface RefreshResult {
  /** Cache keys whose copy is now stale: configured names, and tree files opened since the mount. */
  readonly stale: readonly string[]
  /** Parts of directory origins ("tree", "tree/path") whose listings and unopened copies count as stale too. */
  readonly trees: readonly string[]
}

export class FileCache {
  /** The directory origins' listings. */
  readonly trees: TreeSet
  readonly #layout: CacheLayout
  /** Configured files by name, and the tree files opened so far by key (which always has a '/'). */
  readonly #entries: Map<string, CacheEntry>
  /** Every configured name, files and folders, in config order. */
  readonly #names: readonly string[]
  readonly #log: Logger
  readonly #clock: Clock
  readonly #persistent: boolean
  readonly #evictor: CacheEvictor
  readonly #fetches = new SingleFlight<string, void>()
  readonly #stats = new SingleFlight<string, FileAttrs>()
  readonly #adopting = new SingleFlight<string, void>()
  readonly #closing: AbortController
  readonly #refresher: CacheRefresher
  readonly #refreshMarks = new RefreshMarks()

  private constructor (o: FileCacheOptions, c: CacheContents) {
    this.trees = c.trees
    this.#closing = c.closing
    this.#layout = c.layout
    this.#entries = c.entries
    this.#names = o.files.map(f => f.name)
    this.#log = o.log
    this.#clock = o.clock ?? systemClock
    this.#persistent = o.persistent
    this.#evictor = new CacheEvictor(o.maxBytes)
    this.#refresher = new CacheRefresher({
      layout: c.layout, clock: this.#clock, log: o.log, closing: this.#closing.signal,
      committed: e => {
        this.#evictor.track(e.name, e.copy?.local.size ?? 0)
        this.#evict()
      },
      dropped: e => { this.#evictor.forget(e.name) }
    })
    for (const copy of c.copies) this.#evictor.track(copy.name, copy.size)
  }

  /** Prepares the cache dir (removing orphan temp files) and loads the copies a previous run left. */
  static async open (o: FileCacheOptions): Promise<FileCache> {
    const cache = new FileCache(o, await loadCacheContents({ ...o, clock: o.clock ?? systemClock }))
    cache.#evict()
    return cache
  }

  get dir (): string { return this.#layout.dir }

  /** The configured names, files and folders, in config order. */
  names (): readonly string[] { return this.#names }

  /** Whether `name` is a configured file (not a folder, not a tree file's key). */
  has (name: string): boolean { return !name.includes('/') && this.#entries.has(name) }

  /**
   * Makes tree file `source` (from TreeIndex.node) known by its key, with
   * the copy a previous run left if it is still good; then ensure, acquire
   * and release take the key like a configured name.
   */
  async adopt (source: CachedFileConfig): Promise<void> {
    if (this.#entries.has(source.name)) return
    await this.#adopting.run(source.name, async () => {
      if (this.#entries.has(source.name)) return
      const copy = this.#persistent ? await this.#layout.loadCopy(source.name, source.origin, this.#log) : undefined
      const entry = new CacheEntry(source, copy)
      if (copy !== undefined && this.#refreshMarks.staleSince(source.name, copy.fetchedAt)) entry.markStale()
      this.#entries.set(source.name, entry)
      if (copy === undefined) this.#evictor.forget(source.name)
    })
  }

  /** The copy on disk of `name` as its sidecar describes it, if any (for a tree file: once adopted). */
  copyOf (name: string): CacheMeta | undefined { return this.#entries.get(name)?.copy }

  async attrs (name: string, o: CallOptions = {}): Promise<FileAttrs> {
    const e = this.#entry(name)
    const now = this.#clock.now()
    if (e.copy !== undefined && e.isFresh(now)) return { size: e.copy.local.size, mtimeMs: e.copy.meta.mtimeMs }
    const memo = e.memoizedStat(now)
    if (memo !== undefined) return attrsOf(e, memo.meta)
    return await this.#stats.run(name, s => this.#refresher.stat(e, s), o.signal)
      .catch((err: unknown) => { throw fsErrorFor(name, e.config.origin, err) })
  }

  /**
   * The path of a current local copy of `name`. Call acquire() before and
   * release() after using the path, so eviction leaves it alone meanwhile.
   */
  async ensure (name: string, o: CallOptions & { listed?: ListedVersion } = {}): Promise<string> {
    const e = this.#entry(name)
    this.#evictor.touch(name)
    if (!e.isFresh(this.#clock.now()) || outdatedBy(e.copy, o.listed)) {
      await this.#fetches.run(name, s => this.#refresher.fetch(e, s), o.signal)
        .catch((err: unknown) => { throw fsErrorFor(name, e.config.origin, err) })
    }
    return this.#layout.dataPath(name)
  }

  /** Marks `name` as open in the mount: its copy is not evicted until the matching release(). */
  acquire (name: string): void { this.#entry(name).openCount++ }

  release (name: string): void {
    const e = this.#entry(name)
    if (e.openCount > 0) e.openCount--
    // A copy that was pinned while the cache was over its limit can go now.
    if (e.openCount === 0) this.#evict()
  }

  /**
   * Marks the copies of `names` (none: every copy) stale: the next getattr
   * asks the origin, the next open revalidates. A name is a path in the
   * mount: a configured file, a directory origin's folder or a path inside
   * it (a folder covers everything under it, listings included). Throws
   * EINVAL, marking nothing, when a name is not part of the mount.
   */
  refresh (names: readonly string[] = []): RefreshResult {
    const scopes = refreshScopes(names, { isFile: n => this.has(n), isTree: n => this.trees.has(n) })
    const prefixes = scopes.map(scopePrefix)
    const now = this.#clock.now()
    const stale: string[] = []
    for (const e of this.#entries.values()) {
      if (!prefixes.some(p => covers(p, e.name))) continue
      e.markStale()
      if (e.copy !== undefined) stale.push(e.name)
    }
    const trees = new Set<string>()
    for (const s of scopes) {
      if (s.kind === 'file') continue
      this.#refreshMarks.mark(scopePrefix(s), now)
      const parts = s.kind === 'all' ? this.trees.names().map(tree => ({ tree, rel: '' })) : [s]
      for (const { tree, rel } of parts) {
        this.trees.get(tree)?.expire(rel)
        trees.add(rel === '' ? tree : `${tree}/${rel}`)
      }
    }
    return { stale, trees: [...trees] }
  }

  /** The configured files (tree files are not listed: a tree may hold more than a status should show). */
  status (): FileStatus[] {
    const now = this.#clock.now()
    return [...this.#entries.values()].filter(e => this.has(e.name))
      .map(e => e.status(now, this.#fetches.has(e.name), bytesSoFar(e.download)))
  }

  /** Stops fetches in flight and waits for them; a private cache removes its files. */
  async close (): Promise<void> {
    this.#closing.abort(new FsError('EINTR', 'the file cache is closing'))
    await Promise.allSettled([this.#fetches.idle(), this.#stats.idle(), this.trees.close()])
    if (this.#persistent) return
    for (const name of this.#entries.keys()) this.#layout.removeCopy(name)
    for (const tree of this.trees.names()) await rm(this.#layout.dataPath(tree), { recursive: true, force: true })
    await rm(this.#layout.stateDir, { recursive: true, force: true })
    // Only if empty: anything else in the dir is not ours to delete.
    await rmdir(this.#layout.dir).catch(() => {})
  }

  #entry (name: string): CacheEntry {
    const e = this.#entries.get(name)
    if (e === undefined) throw new FsError('ENOENT', `${name}: not a configured file`)
    return e
  }

  #evict (): void {
    // A tree copy left by a previous run has no entry until it is opened again: then it is not busy.
    const victims = this.#evictor.pickVictims(name => {
      const e = this.#entries.get(name)
      return (e !== undefined && e.openCount > 0) || this.#fetches.has(name) || this.#adopting.has(name)
    })
    for (const name of victims) {
      this.#layout.removeCopy(name)
      const e = this.#entries.get(name)
      if (e !== undefined) e.copy = undefined
      this.#log.debug({ file: name }, 'evicted from the cache (cache_max_size)')
    }
  }
}

/**
 * The size of a download's temp file. A local stat, synchronous so that
 * status() stays a plain snapshot; it runs per status request, never on
 * the FUSE path.
 */
function bytesSoFar (tmp: string | undefined): number | null {
  if (tmp === undefined) return null
  return statSync(tmp, { throwIfNoEntry: false })?.size ?? 0
}
