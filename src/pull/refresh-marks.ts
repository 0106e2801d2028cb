/**
 * When each part of a pull mount was last refreshed (`stem refresh`), for
 * what is not in memory at that moment: a tree file's copy left by an
 * earlier run joins the cache only when it is next opened, and a listing
 * may be read back from disk. Whatever was confirmed at or before the mark
 * of a part covering it counts as stale. At or before: a copy confirmed in
 * the very millisecond of the refresh may predate it, and one extra
 * conditional request is cheaper than serving a version the user asked to
 * be checked.
 */
import { covers } from './refresh-scope.js'

export class RefreshMarks {
  /** Cache key prefix ('' for everything) → clock ms of its last refresh. */
  readonly #marks = new Map<string, number>()

  mark (prefix: string, now: number): void {
    // A newer mark over a wider part makes the narrower ones under it redundant: the map stays small.
    for (const p of this.#marks.keys()) if (covers(prefix, p)) this.#marks.delete(p)
    this.#marks.set(prefix, now)
  }

  /** Whether something at `key` confirmed at `at` was refreshed since. */
  staleSince (key: string, at: number): boolean {
    for (const [prefix, when] of this.#marks) if (covers(prefix, key) && at <= when) return true
    return false
  }
}
