/**
 * The directory origins of a pull mount, by folder name, each a TreeIndex
 * over its own part of the cache dir (cache-layout.ts). A tree's state is
 * kept only for the origin it was made for: when the config names another
 * origin (or the cache is private), its listings and copies are removed at
 * open, so nothing of the old tree is ever served under the new name.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from '../logger.js'
import type { Clock } from '../push/clock.js'
import type { CachedFileConfig } from './cache-entry.js'
import type { CacheLayout } from './cache-layout.js'
import { ListingStore } from './listing-store.js'
import { TreeIndex } from './tree-index.js'

/** A directory origin to serve: a CachedFileConfig whose path is the top folder's. */
export type TreeConfig = CachedFileConfig & { readonly dirCachetimeMs: number }

export interface TreeSetOptions {
  readonly layout: CacheLayout
  readonly trees: readonly TreeConfig[]
  readonly clock: Clock
  readonly log: Logger
  readonly persistent: boolean
  readonly closing: AbortSignal
  /** Per tree; see listing-lru.ts. */
  readonly maxEntriesInMemory?: number
}

export class TreeSet {
  readonly #trees: ReadonlyMap<string, TreeIndex>

  private constructor (trees: ReadonlyMap<string, TreeIndex>) {
    this.#trees = trees
  }

  static async open (o: TreeSetOptions): Promise<TreeSet> {
    const trees = new Map<string, TreeIndex>()
    for (const t of o.trees) {
      const state = o.layout.treeStateDir(t.name)
      await keepOnlyFor(o.layout, t, o.persistent, o.log)
      await mkdir(join(state, 'dirs'), { recursive: true })
      await mkdir(join(state, 'files'), { recursive: true })
      trees.set(t.name, new TreeIndex({
        name: t.name, origin: t.origin, backend: t.backend, path: t.path,
        cachetimeMs: t.cachetimeMs, dirCachetimeMs: t.dirCachetimeMs,
        store: new ListingStore(join(state, 'dirs'), o.layout.tmpDir, t.origin),
        clock: o.clock, log: o.log, closing: o.closing,
        ...(o.maxEntriesInMemory === undefined ? {} : { maxEntriesInMemory: o.maxEntriesInMemory })
      }))
    }
    return new TreeSet(trees)
  }

  /** Whether `name` is a directory origin's folder. */
  has (name: string): boolean { return this.#trees.has(name) }

  get (name: string): TreeIndex | undefined { return this.#trees.get(name) }

  names (): readonly string[] { return [...this.#trees.keys()] }

  async close (): Promise<void> {
    await Promise.allSettled([...this.#trees.values()].map(t => t.close()))
  }
}

/** Removes the state and copies of tree `t` unless they were made for its origin; then marks them as its. */
async function keepOnlyFor (layout: CacheLayout, t: TreeConfig, persistent: boolean, log: Logger): Promise<void> {
  const state = layout.treeStateDir(t.name)
  const marker = join(state, 'origin')
  const was = await readFile(marker, 'utf8').catch(() => undefined)
  if (persistent && was === t.origin) return
  if (was !== undefined && persistent) log.info({ tree: t.name, was, origin: t.origin }, 'origin changed; cached listings and files removed')
  await rm(state, { recursive: true, force: true })
  await rm(layout.dataPath(t.name), { recursive: true, force: true })
  await mkdir(state, { recursive: true })
  await writeFile(marker, t.origin)
}
