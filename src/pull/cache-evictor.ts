/**
 * Which cached copies to drop when the cache holds more than
 * `cache_max_size`: least recently used first, never one that is busy (open
 * in the mount or being fetched: its bytes are in use or about to be).
 *
 * A Map in recency order rather than lru-cache: lru-cache evicts on insert
 * by itself and has no notion of entries that must stay, whereas here the
 * caller decides when to evict and which names are pinned, and the files are
 * removed by the caller. The Map's insertion order is the LRU order (a
 * touch deletes and re-inserts), so both touch and eviction are O(1) per
 * name.
 */

export class CacheEvictor {
  readonly #maxBytes: number | undefined
  /** Cached names in least-recently-used-first order, with their bytes on disk. */
  readonly #sizes = new Map<string, number>()
  #total = 0

  constructor (maxBytes: number | undefined) {
    this.#maxBytes = maxBytes
  }

  /** Bytes of every tracked copy. */
  get totalBytes (): number { return this.#total }

  /** Records (or updates) a copy of `size` bytes as the most recently used. */
  track (name: string, size: number): void {
    this.forget(name)
    this.#sizes.set(name, size)
    this.#total += size
  }

  /** Marks a tracked copy as just used. */
  touch (name: string): void {
    const size = this.#sizes.get(name)
    if (size !== undefined) this.track(name, size)
  }

  forget (name: string): void {
    const size = this.#sizes.get(name)
    if (size === undefined) return
    this.#sizes.delete(name)
    this.#total -= size
  }

  /**
   * The names to drop, least recently used first, until the rest fits in
   * the limit; busy names are skipped (the cache may stay over the limit
   * while they are). The chosen names are forgotten here; the caller removes
   * their files.
   */
  pickVictims (isBusy: (name: string) => boolean): string[] {
    if (this.#maxBytes === undefined) return []
    const victims: string[] = []
    for (const [name, size] of this.#sizes) {
      if (this.#total <= this.#maxBytes) break
      if (isBusy(name)) continue
      victims.push(name)
      this.#sizes.delete(name)
      this.#total -= size
    }
    return victims
  }
}
