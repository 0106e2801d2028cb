/**
 * Where the pull cache keeps things on disk:
 *
 *   <dir>/<name>                 the data file, exactly the bytes served
 *   <dir>/.stalk/<name>.json     its sidecar (cache-meta.ts)
 *   <dir>/.stalk/tmp/            downloads, sidecars and listings being written
 *
 * A directory origin <tree> (tree-set.ts) keeps its files the same way,
 * under the key "<tree>/<path in the tree>":
 *
 *   <dir>/<tree>/<path>                          the data file, in the remote tree's shape
 *   <dir>/.stalk/tree/<tree>/files/<hash>.json   its sidecar, named by a hash of the path
 *   <dir>/.stalk/tree/<tree>/dirs/<hash>.jsonl   one listing per listed folder (listing-store.ts)
 *
 * Sidecars of tree files are not placed beside the data, so that a remote
 * file named "x.json" next to a folder "x" can never collide with one.
 *
 * Data files sit directly in the cache dir under their mount names, so an
 * operator can look at (or copy out) the cache with ordinary tools. Temp
 * files live on the same filesystem, so every swap is a rename, which never
 * rewrites a file in place: a reader holding the old file keeps its bytes.
 */
import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import { lstat, mkdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from '../logger.js'
import { readCacheMeta, type CacheMeta } from './cache-meta.js'
import { hashName } from './tree-path.js'

/** The folder of stalk's own bookkeeping inside the cache dir; no file may be named so. */
export const STATE_DIR = '.stalk'

export class CacheLayout {
  readonly dir: string
  readonly stateDir: string
  readonly tmpDir: string

  constructor (dir: string) {
    this.dir = dir
    this.stateDir = join(dir, STATE_DIR)
    this.tmpDir = join(this.stateDir, 'tmp')
  }

  dataPath (name: string): string { return join(this.dir, name) }

  metaPath (name: string): string {
    const slash = name.indexOf('/')
    if (slash < 0) return join(this.stateDir, `${name}.json`)
    return join(this.treeStateDir(name.slice(0, slash)), 'files', `${hashName(name.slice(slash + 1))}.json`)
  }

  /** The bookkeeping of directory origin `tree`: its listings and its files' sidecars. */
  treeStateDir (tree: string): string { return join(this.stateDir, 'tree', tree) }

  /**
   * Makes the folders a tree file's data path needs. What stands in the way
   * is an old copy from when the origin's tree had another shape (a file
   * where there is a folder now, or the reverse) and is removed; files still
   * open keep their bytes.
   */
  async prepareDataPath (name: string): Promise<void> {
    const parts = name.split('/')
    if (parts.length === 1) return
    let path = this.dir
    for (const part of parts.slice(0, -1)) {
      path = join(path, part)
      await makeFolder(path)
    }
    const data = this.dataPath(name)
    if ((await lstat(data).catch(() => undefined))?.isDirectory() === true) await rm(data, { recursive: true, force: true })
  }

  /** A fresh name for one download; never reused, so a late writer cannot clobber another. */
  tempPath (): string { return join(this.tmpDir, randomUUID()) }

  /** Creates the folders and removes temp files a previous run left (it died mid-download). */
  async prepare (): Promise<void> {
    await rm(this.tmpDir, { recursive: true, force: true })
    await mkdir(this.tmpDir, { recursive: true })
  }

  /**
   * The copy of `name` a previous run left, if it can be trusted: a valid
   * sidecar for the same origin whose inode and size match the data file.
   * Anything else is removed, so no unexplained bytes stay in the cache.
   */
  async loadCopy (name: string, origin: string, log: Logger): Promise<CacheMeta | undefined> {
    const m = await readCacheMeta(this.metaPath(name))
    const st = await stat(this.dataPath(name)).catch(() => undefined)
    const why = m === undefined
      ? (st === undefined ? undefined : 'no valid sidecar')
      : m.origin !== origin ? `origin changed from ${m.origin}`
        : st === undefined || !st.isFile() || st.ino !== m.local.ino || st.size !== m.local.size
          ? 'data file does not match its sidecar'
          : undefined
    if (why === undefined) return m
    log.info({ file: name, reason: why }, 'discarding cached copy')
    this.removeCopy(name)
    return undefined
  }

  /**
   * Removes a copy's data file and sidecar. Synchronous on purpose: the
   * caller updates its in-memory state in the same turn, so no fetch of the
   * same name can commit a new copy in between and have it deleted.
   */
  removeCopy (name: string): void {
    rmSync(this.metaPath(name), { force: true })
    rmSync(this.dataPath(name), { force: true })
  }
}

async function makeFolder (path: string): Promise<void> {
  const st = await lstat(path).catch(() => undefined)
  if (st?.isDirectory() === true) return
  if (st !== undefined) await rm(path, { force: true })
  // Another fetch into the same folder may make it at the same time.
  await mkdir(path).catch((err: unknown) => { if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err })
}
