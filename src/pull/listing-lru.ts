/**
 * The listings of one tree held in memory, for lookups that must not read
 * a file each (an `ls -l` of a folder is one getattr per entry). Bounded by
 * the entries they hold together: beyond the limit the least recently used
 * listings are dropped, to be read again from the on-disk index when
 * needed. The listing just added always stays, however big: its caller is
 * about to use it.
 */
import type { StoredListing } from './listing-store.js'

/** About 200 bytes each in memory: ~40 MB per tree at most, apart from one bigger folder in use. */
export const DEFAULT_MAX_ENTRIES = 200_000

export class ListingLru {
  /** In least-recently-used-first order (a get re-inserts). */
  readonly #listings = new Map<string, StoredListing>()
  #entries = 0

  constructor (private readonly maxEntries = DEFAULT_MAX_ENTRIES) {}

  /** Entries held now, over every listing. */
  get entries (): number { return this.#entries }

  get (dir: string): StoredListing | undefined {
    const l = this.#listings.get(dir)
    if (l !== undefined) {
      this.#listings.delete(dir)
      this.#listings.set(dir, l)
    }
    return l
  }

  set (l: StoredListing): void {
    this.delete(l.dir)
    this.#listings.set(l.dir, l)
    this.#entries += l.entries.size
    for (const [dir, old] of this.#listings) {
      if (this.#entries <= this.maxEntries || old === l) break
      this.#listings.delete(dir)
      this.#entries -= old.entries.size
    }
  }

  delete (dir: string): void {
    const l = this.#listings.get(dir)
    if (l === undefined) return
    this.#listings.delete(dir)
    this.#entries -= l.entries.size
  }
}
