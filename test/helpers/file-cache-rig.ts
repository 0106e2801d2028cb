/**
 * A FileCache over a temp dir and a MemoryBackend, with a manual clock and
 * a recording logger, for one test. Caches it opens are closed in teardown.
 *
 *   const r = await cacheRig(t)
 *   r.backend.put('/a', 'hello')
 *   const cache = await r.open([r.file('a')])         // cachetime 60 s, origin memory://test/a
 *   const again = await r.open([r.file('a')], { clock: manualClock(later) })   // a "remount"
 *   const c = await r.open([r.tree('t')])              // a directory origin over backend folder /t/
 *   const tree = c.trees.get('t')
 */
import type { Test } from 'tap'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { manualClock, type Clock, type ManualClock } from '../../src/push/clock.js'
import { FileCache, type CachedFileConfig } from '../../src/pull/file-cache.js'
import { MemoryBackend } from './memory-backend.js'
import { recordingLogger, type LogRecord } from './recording-logger.js'
import { tmpDir } from './tmp.js'

export interface CacheRig {
  readonly dir: string
  readonly backend: MemoryBackend
  readonly clock: ManualClock
  readonly log: ReturnType<typeof recordingLogger>
  /** A file `name` at backend path `/name`. */
  file(name: string, o?: { cachetimeMs?: number; origin?: string; path?: string }): CachedFileConfig
  /** A directory origin `name` over backend folder `/name/`: cachetime 60 s, dir_cachetime 60 s unless given. */
  tree(name: string, o?: { cachetimeMs?: number; dirCachetimeMs?: number; path?: string }): CachedFileConfig
  open(files: readonly CachedFileConfig[], o?: { clock?: Clock; maxBytes?: number; persistent?: boolean }): Promise<FileCache>
  /** Log records at warn level. */
  warnings(): LogRecord[]
  /** Names in the temp download folder (should be empty between operations). */
  temps(): string[]
}

export async function cacheRig (t: Test, start = 1_000_000): Promise<CacheRig> {
  const dir = await tmpDir(t)
  const backend = new MemoryBackend()
  const clock = manualClock(start)
  const log = recordingLogger()
  return {
    dir,
    backend,
    clock,
    log,
    file: (name, o = {}) => ({
      name,
      origin: o.origin ?? `memory://test/${name}`,
      backend,
      path: o.path ?? `/${name}`,
      cachetimeMs: o.cachetimeMs ?? 60_000
    }),
    tree: (name, o = {}) => ({
      name,
      origin: `memory://test/${name}/`,
      backend,
      path: o.path ?? `/${name}/`,
      cachetimeMs: o.cachetimeMs ?? 60_000,
      dirCachetimeMs: o.dirCachetimeMs ?? 60_000
    }),
    async open (files, o = {}) {
      const cache = await FileCache.open({
        dir, files, log, clock: o.clock ?? clock, persistent: o.persistent ?? true,
        ...(o.maxBytes === undefined ? {} : { maxBytes: o.maxBytes })
      })
      t.teardown(() => cache.close())
      return cache
    },
    warnings: () => log.records.filter(r => r.level === 'warn'),
    temps: () => readdirSync(join(dir, '.stalk', 'tmp'))
  }
}

/**
 * The `code` of what `p` rejects with, or of what `p()` throws or rejects
 * with (undefined if it succeeds), for t.equal on errno names.
 */
export async function rejection (p: unknown): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? (p as () => unknown)() : p)
    return undefined
  } catch (err) {
    return (err as { code?: string }).code
  }
}
