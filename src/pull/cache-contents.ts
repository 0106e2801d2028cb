/**
 * What a FileCache starts with: the cache dir prepared (temp files of a
 * dead run removed), the configured files with the copies a previous run
 * left (or none, for a private cache), the directory origins' trees, and
 * every copy on disk in the order to evict them.
 */
import type { Logger } from '../logger.js'
import type { Clock } from '../push/clock.js'
import { CacheEntry, type CachedFileConfig } from './cache-entry.js'
import { CacheLayout, STATE_DIR } from './cache-layout.js'
import { treeCopies, type TrackedCopy } from './tree-copies.js'
import { TreeSet, type TreeConfig } from './tree-set.js'

export interface CacheContentsOptions {
  readonly dir: string
  readonly files: readonly CachedFileConfig[]
  readonly log: Logger
  readonly clock: Clock
  readonly persistent: boolean
  /** Given: every tree copy is counted up front (otherwise they join as they are used). */
  readonly maxBytes?: number
}

export interface CacheContents {
  readonly layout: CacheLayout
  /** The configured files by name. */
  readonly entries: Map<string, CacheEntry>
  readonly trees: TreeSet
  /** Aborts every trip to the origins when the cache closes. */
  readonly closing: AbortController
  /** Copies on disk, oldest confirmation first: the best guess of least recent use after a restart. */
  readonly copies: readonly TrackedCopy[]
}

export function isTree (f: CachedFileConfig): f is TreeConfig {
  return f.dirCachetimeMs !== undefined
}

export async function loadCacheContents (o: CacheContentsOptions): Promise<CacheContents> {
  const layout = new CacheLayout(o.dir)
  await layout.prepare()
  const names = o.files.map(f => f.name)
  if (names.includes(STATE_DIR)) throw new Error(`"${STATE_DIR}" cannot be a file name: the cache keeps its state there`)
  const twice = names.find((n, i) => names.indexOf(n) !== i)
  if (twice !== undefined) throw new Error(`"${twice}" is configured twice`)
  const entries = new Map<string, CacheEntry>()
  for (const f of o.files.filter(f => !isTree(f))) {
    if (!o.persistent) layout.removeCopy(f.name)
    const copy = o.persistent ? await layout.loadCopy(f.name, f.origin, o.log) : undefined
    entries.set(f.name, new CacheEntry(f, copy))
  }
  const closing = new AbortController()
  const dirs = o.files.filter(isTree)
  const trees = await TreeSet.open({ layout, trees: dirs, clock: o.clock, log: o.log, persistent: o.persistent, closing: closing.signal })
  const fromTrees = o.maxBytes === undefined ? [] : await treeCopies(layout, dirs)
  const copies = [...entries.values()].flatMap(e => e.copy === undefined ? [] : [{ name: e.name, size: e.copy.local.size, fetchedAt: e.copy.fetchedAt }])
  return { layout, entries, trees, closing, copies: [...copies, ...fromTrees].sort((a, b) => a.fetchedAt - b.fetchedAt) }
}
