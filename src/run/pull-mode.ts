/**
 * Composition root of pull mode: config → origin backends (pooled) →
 * preflight → file cache → read-only ops. Mounting and stopping are
 * run-mount.ts's; this file only wires the parts together.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { Backend } from '../../backends/backend.js'
import { OriginRegistry } from '../../backends/origin-registry.js'
import type { PullConfig } from '../config/types.js'
import { describe } from '../errors.js'
import { StemError } from '../exit-codes.js'
import type { FsOps } from '../fuse/fs-ops.js'
import type { Logger } from '../logger.js'
import { FileCache } from '../pull/file-cache.js'
import { createPullFs } from '../pull/pull-fs.js'

export interface PullMode {
  readonly ops: FsOps
  readonly cache: FileCache
  /** Closes the cache and the origin connections; removes a private cache dir. */
  stop(): Promise<void>
}

export async function createPullMode (config: PullConfig, log: Logger): Promise<PullMode> {
  const registry = new OriginRegistry({ log, configDir: dirname(config.file) })
  try {
    const files = config.files.map(f => ({ name: f.name, origin: f.origin, cachetimeMs: f.cachetimeMs, ...registry.open(f) }))
    await preflight(registry.all(), config.lazy, log)
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

/** Every origin server must answer with its credentials before we mount, unless lazy. */
async function preflight (backends: readonly Backend[], lazy: boolean, log: Logger): Promise<void> {
  const checks = await Promise.allSettled(backends.map(b => b.check?.()))
  const failed = checks.flatMap((c, i) => c.status === 'rejected' ? [`${backends[i]?.name ?? '?'}: ${describe(c.reason)}`] : [])
  if (failed.length === 0) return
  if (lazy) {
    for (const f of failed) log.warn(`origin not reachable now; cached copies are served until it is: ${f}`)
    return
  }
  throw new StemError('preflightFailed', `origin check failed:\n  ${failed.join('\n  ')}\n(set "lazy: yes" in [global] to mount anyway)`)
}
