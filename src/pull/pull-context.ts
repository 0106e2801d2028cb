/**
 * What the pull mount's ops share: the cache they read through, who owns
 * the files, the root folder's times, and how a file's attributes become a
 * Stat (mode 0444: nothing in the mount is writable or executable).
 */
import { constants } from 'node:fs'
import type { Stat } from '../fuse/fs-ops.js'
import type { Logger } from '../logger.js'
import { systemClock, type Clock } from '../push/clock.js'
import type { FileAttrs, FileCache } from './file-cache.js'
import { resolvePullNode, requirePullNode, type PullNode } from './pull-node.js'

const { S_IFREG, S_IFDIR } = constants

/** The part of FileCache the mount uses. */
export type PullCache = Pick<FileCache, 'dir' | 'names' | 'has' | 'attrs' | 'ensure' | 'acquire' | 'release'>

export interface PullFsOptions {
  readonly cache: PullCache
  readonly log: Logger
  /** For the root folder's times (when the mount was made). */
  readonly clock?: Clock
  /** Owner of every entry; default the daemon's own ids. */
  readonly uid?: number
  readonly gid?: number
}

export interface PullContext {
  readonly cache: PullCache
  readonly log: Logger
  resolve(path: string): PullNode | undefined
  require(path: string): PullNode
  fileStat(a: FileAttrs): Stat
  rootStat(): Stat
}

export function createPullContext (o: PullFsOptions): PullContext {
  const uid = o.uid ?? process.getuid?.() ?? 0
  const gid = o.gid ?? process.getgid?.() ?? 0
  const mountedAt = (o.clock ?? systemClock).now()
  const isFile = (name: string): boolean => o.cache.has(name)
  const base = { uid, gid, dev: 0, ino: 0, rdev: 0, blksize: 4096 }
  return {
    cache: o.cache,
    log: o.log,
    resolve: path => resolvePullNode(path, isFile),
    require: path => requirePullNode(path, isFile),
    fileStat: a => ({
      ...base, mode: S_IFREG | 0o444, nlink: 1, size: a.size, blocks: Math.ceil(a.size / 512),
      atimeMs: a.mtimeMs, mtimeMs: a.mtimeMs, ctimeMs: a.mtimeMs
    }),
    rootStat: () => ({
      ...base, mode: S_IFDIR | 0o555, nlink: 2, size: 4096, blocks: 8,
      atimeMs: mountedAt, mtimeMs: mountedAt, ctimeMs: mountedAt
    })
  }
}
