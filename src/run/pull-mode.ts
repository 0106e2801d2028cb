/**
 * Composition root of pull mode: config → origin backends (pooled) →
 * preflight → file cache → read-only ops. Mounting and stopping are
 * run-mount.ts's; this file only wires the parts together.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { OriginRegistry } from '../../backends/origin-registry.js'
import type { PullConfig } from '../config/types.js'
import type { FsOps } from '../fuse/fs-ops.js'
import type { Logger } from '../logger.js'
import { FileCache } from '../pull/file-cache.js'
import { createPullFs } from '../pull/pull-fs.js'
import { checkOrigins, enforcePreflight } from './preflight.js'

export interface PullMode {
  readonly ops: FsOps
  readonly cache: FileCache
  /** Closes the cache and the origin connections; removes a private cache dir. */
  stop(): Promise<void>
}

export async function createPullMode (config: PullConfig, log: Logger): Promise<PullMode> {
  const registry = new OriginRegistry({ log, configDir: dirname(config.file) })
  try {
    const files = config.files.map(f => ({
      name: f.name, origin: f.origin, cachetimeMs: f.cachetimeMs, ...registry.open(f),
      ...(f.dirCachetimeMs === undefined ? {} : { dirCachetimeMs: f.dirCachetimeMs })
    }))
    // Every origin server must answer with its credentials before we mount, unless lazy.
    enforcePreflight(await checkOrigins(registry.all()), config.lazy, log)
    const persistent = config.cachedir !== undefined
    const dir = config.cachedir ?? await mkdtemp(join(tmpdir(), 'stalk-cache-'))
    const cache = await FileCache.open({
      dir, files, log: log.child({ part: 'cache' }), persistent,
      ...(config.cacheMaxBytes === undefined ? {} : { maxBytes: config.cacheMaxBytes })
    })
    const ops = createPullFs({ cache, log: log.child({ part: 'fs' }) })
    return {
      ops, cache,
      stop: async () => {
        await cache.close()
        await registry.close()
        if (!persistent) await rm(dir, { recursive: true, force: true })
      }
    }
  } catch (err) {
    await registry.close()
    throw err
  }
}
