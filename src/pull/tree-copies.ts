/**
 * The copies of tree files a previous run left, found by their sidecars, so
 * that cache_max_size counts them from the start: files of a tree are known
 * to the cache only once looked at, and copies nobody looks at again would
 * otherwise never be evicted.
 *
 * A sidecar's origin is the tree's origin plus the file's path in the tree,
 * which gives back the cache key. Sidecars that do not lead back to their
 * own file name, name an unsafe path, or do not match their data file are
 * removed with what they describe, as the cache does at open for configured
 * files (cache-layout.ts loadCopy).
 */
import { readdir, rm, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { CacheLayout } from './cache-layout.js'
import { readCacheMeta } from './cache-meta.js'
import type { TreeConfig } from './tree-set.js'
import { relOf } from './tree-path.js'

export interface TrackedCopy {
  /** The cache key: "<tree>/<path in the tree>". */
  readonly name: string
  readonly size: number
  readonly fetchedAt: number
}

export async function treeCopies (layout: CacheLayout, trees: readonly TreeConfig[]): Promise<TrackedCopy[]> {
  const out: TrackedCopy[] = []
  for (const t of trees) {
    const dir = join(layout.treeStateDir(t.name), 'files')
    const sidecars = await readdir(dir).catch(() => [])
    for (const f of sidecars) {
      const copy = await copyOf(layout, t, join(dir, f))
      if (copy !== undefined) out.push(copy)
    }
  }
  return out
}

async function copyOf (layout: CacheLayout, t: TreeConfig, sidecar: string): Promise<TrackedCopy | undefined> {
  const m = await readCacheMeta(sidecar).catch(() => undefined)
  const rel = m?.origin.startsWith(t.origin) === true ? relOf(m.origin.slice(t.origin.length).split('/')) : undefined
  const name = rel === undefined ? undefined : `${t.name}/${rel}`
  if (m === undefined || name === undefined || basename(layout.metaPath(name)) !== basename(sidecar)) {
    await rm(sidecar, { force: true })
    return undefined
  }
  const st = await stat(layout.dataPath(name)).catch(() => undefined)
  if (st === undefined || !st.isFile() || st.ino !== m.local.ino || st.size !== m.local.size) {
    layout.removeCopy(name)
    return undefined
  }
  return { name, size: m.local.size, fetchedAt: m.fetchedAt }
}
