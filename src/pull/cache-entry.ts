/**
 * What the cache knows about one configured file: its origin, the copy on
 * disk (if any), a short-lived memo of the origin's stat for getattr, how
 * many handles hold it open, and the outcome of the last trip to the origin
 * (for `stem status`).
 */
import type { Backend, RemoteMeta } from '../../backends/backend.js'
import type { CacheMeta } from './cache-meta.js'

/** One file to serve: its mount name and where it comes from. */
export interface CachedFileConfig {
  /** The name in the mount (a plain file name). */
  readonly name: string
  /** The origin as configured (recorded in the sidecar: another origin invalidates the copy). */
  readonly origin: string
  readonly backend: Backend
  /** The object's path within the backend. */
  readonly path: string
  /** How long a copy is served without asking the origin; 0 = ask at every open. */
  readonly cachetimeMs: number
  /**
   * Only for a directory origin (tree-set.ts): `name` is then a folder, `path`
   * the top folder's, and this how long a folder's listing is served.
   */
  readonly dirCachetimeMs?: number
}

export type LastResult = 'fetched' | 'not-modified' | 'stale-served' | 'failed' | 'not-found'

/** One file's line in `stem status`. Times are clock ms; null where there is nothing to say. */
export interface FileStatus {
  readonly name: string
  readonly origin: string
  readonly cached: boolean
  /** Bytes of the local copy. */
  readonly size: number | null
  /** The origin's mtime of the cached version. */
  readonly mtimeMs: number | null
  readonly fetchedAt: number | null
  readonly ageMs: number | null
  readonly fresh: boolean
  readonly lastResult: LastResult | null
  readonly lastResultAt: number | null
  readonly lastError: string | null
  readonly lastErrorAt: number | null
  readonly inFlight: boolean
  /** Bytes of the download in flight written so far (null when none is); parallel downloads (sftp) may leave holes. */
  readonly downloadedBytes: number | null
  readonly openCount: number
}

export class CacheEntry {
  readonly config: CachedFileConfig
  copy: CacheMeta | undefined
  /** The origin's answer to the last stat, kept for cachetime (getattr is frequent, stat is a round trip). */
  statMemo: { readonly meta: RemoteMeta | undefined; readonly at: number } | undefined
  openCount = 0
  /** Whether the last trip to the origin (fetch or stat) failed: warnings are given on the change only. */
  failing = false
  lastResult: LastResult | undefined
  lastResultAt: number | undefined
  /** The most recent failure, kept after later successes so status can show what went wrong when. */
  lastError: string | undefined
  lastErrorAt: number | undefined
  /** The temp file of the fetch in flight, so status can show how far it got. */
  download: string | undefined
  /**
   * Set by `stem refresh`: the copy is stale whatever its age, until a trip
   * to the origin confirms or replaces it. A flag, not a changed fetchedAt,
   * so status still shows when the copy was really fetched.
   */
  forceRevalidate = false
  /** Counts refreshes, so a fetch that began before one cannot clear the flag it set. */
  refreshes = 0

  constructor (config: CachedFileConfig, copy: CacheMeta | undefined) {
    this.config = config
    this.copy = copy
  }

  get name (): string { return this.config.name }

  /**
   * Whether the copy may be served without asking the origin. A fetchedAt in
   * the future (the system clock was set back) counts as stale, so a wrong
   * clock cannot pin an old copy for years.
   */
  isFresh (now: number): boolean {
    if (this.copy === undefined || this.forceRevalidate) return false
    const age = now - this.copy.fetchedAt
    return age >= 0 && age < this.config.cachetimeMs
  }

  /** Marks the copy stale and forgets the origin's stat, so getattr and open ask the origin again. */
  markStale (): void {
    this.forceRevalidate = true
    this.refreshes++
    this.statMemo = undefined
  }

  /** The memoized stat, if still within cachetime. */
  memoizedStat (now: number): { readonly meta: RemoteMeta | undefined } | undefined {
    const m = this.statMemo
    if (m === undefined) return undefined
    const age = now - m.at
    return age >= 0 && age < this.config.cachetimeMs ? m : undefined
  }

  /**
   * Records an outcome; returns whether `error` is news (worth a warning)
   * rather than the same failure again: a dead origin behind a busy mount
   * would otherwise log at every getattr.
   */
  record (result: LastResult, now: number, error?: string): boolean {
    const isNew = error !== undefined && !(this.failing && error === this.lastError)
    this.failing = error !== undefined
    this.lastResult = result
    this.lastResultAt = now
    if (error !== undefined) {
      this.lastError = error
      this.lastErrorAt = now
    }
    return isNew
  }

  status (now: number, inFlight: boolean, downloadedBytes: number | null = null): FileStatus {
    const c = this.copy
    return {
      name: this.name,
      origin: this.config.origin,
      cached: c !== undefined,
      size: c?.local.size ?? null,
      mtimeMs: c?.meta.mtimeMs ?? null,
      fetchedAt: c?.fetchedAt ?? null,
      ageMs: c === undefined ? null : now - c.fetchedAt,
      fresh: this.isFresh(now),
      lastResult: this.lastResult ?? null,
      lastResultAt: this.lastResultAt ?? null,
      lastError: this.lastError ?? null,
      lastErrorAt: this.lastErrorAt ?? null,
      inFlight,
      downloadedBytes,
      openCount: this.openCount
    }
  }
}
