/**
 * The handle of a mount made by the Node API. It owns the mount's second
 * half of life, the part run-mount.ts does after readiness in the daemon:
 * watch for an unmount from outside, and drain (final round, then release
 * everything) exactly once, whether unmount() was called, the scope of an
 * `await using` ended, or someone ran `umount`.
 */
import { EventEmitter } from 'node:events'
import type { StalkConfig } from '../config/types.js'
import type { ControlSurface } from '../control/control-surface.js'
import { buildStatusReport, type StatusReport } from '../control/status-report.js'
import { requestSync } from '../control/sync-outcome.js'
import { describe } from '../errors.js'
import type { MountHandle } from '../fuse/adapter.js'
import type { Logger } from '../logger.js'
import type { FileCache } from '../pull/file-cache.js'
import type { ShutdownResult, Syncer } from '../push/syncer.js'
import { unmountQuietly } from '../run/mount-steps.js'
import { waitForStop } from '../run/wait-for-stop.js'
import type { DrainResult, StalkMountEvents, StalkMountHandle, SyncResult } from './api-types.js'
import { SyncError } from './sync-error.js'

export type MountSource =
  | { readonly mode: 'push'; readonly syncer: Syncer }
  | { readonly mode: 'pull'; readonly cache: FileCache }

/** What mount() hands over once the mount is live. */
export interface MountParts {
  readonly config: StalkConfig
  readonly mountpoint: string
  readonly fuse: MountHandle
  readonly source: MountSource
  readonly control: ControlSurface | undefined
  /** The mode's own stop: push runs its final round and says what stayed undelivered. */
  readonly stopMode: () => Promise<ShutdownResult | undefined>
  readonly log: Logger
  readonly flushLog: () => void
  /** When the mount went live (epoch ms), as the control socket reports it too. */
  readonly mountedAt: number
}

export class StalkMount extends EventEmitter<StalkMountEvents> implements StalkMountHandle {
  readonly mountpoint: string
  readonly mode: 'push' | 'pull'
  readonly config: StalkConfig
  readonly #parts: MountParts
  readonly #watch: ReturnType<typeof waitForStop>
  #drained: Promise<DrainResult> | undefined

  constructor (parts: MountParts) {
    super()
    this.#parts = parts
    this.mountpoint = parts.mountpoint
    this.mode = parts.config.mode
    this.config = parts.config
    const { source } = parts
    if (source.mode === 'push') {
      source.syncer.on('round', report => this.emit('sync', report))
      // An 'error' event nobody listens to would throw in the embedding program.
      source.syncer.on('error', err => { if (this.listenerCount('error') > 0) this.emit('error', err) })
    }
    // No signals: they belong to the embedding program. Only an unmount from outside is watched.
    this.#watch = waitForStop(parts.mountpoint, 500, [])
    this.#watch.stopped.then(() => this.#drain('external')).catch((err: unknown) => {
      // already logged by #run; nobody awaits an unmount from outside
      if (this.listenerCount('error') > 0) this.emit('error', err instanceof Error ? err : new Error(describe(err)))
    })
  }

  unmount (): Promise<DrainResult> {
    return this.#drain('unmount')
  }

  async sync (): Promise<SyncResult> {
    const { source } = this.#parts
    if (source.mode === 'pull') throw new Error('a pull mount has nothing to sync: its files are fetched from their origins when read')
    const outcome = await requestSync(source.syncer, true, () => {})
    if (!outcome.waited) throw new Error('the sync round was not awaited')
    if (!outcome.ok) throw new SyncError(outcome)
    return outcome
  }

  status (): StatusReport {
    const info = { configFile: this.config.file, mountpoint: this.mountpoint, pid: process.pid, mountedAt: this.#parts.mountedAt }
    const { source } = this.#parts
    return buildStatusReport(info, source.mode === 'push' ? { mode: 'push', syncer: source.syncer } : { mode: 'pull', cache: source.cache })
  }

  async [Symbol.asyncDispose] (): Promise<void> {
    await this.unmount()
  }

  /** The one drain: the first caller starts it, every later one gets the same result. */
  #drain (why: DrainResult['why']): Promise<DrainResult> {
    this.#drained ??= this.#run(why)
    return this.#drained
  }

  async #run (why: DrainResult['why']): Promise<DrainResult> {
    const { fuse, log, control, mountpoint } = this.#parts
    this.#watch.cancel()
    log.info({ mountpoint, why }, 'stopping')
    try {
      // Unmounting first stops the writes, so the final round sees everything.
      if (why === 'unmount') await unmountQuietly(fuse, mountpoint, log)
      // Gone from outside, or detached lazily after a failed unmount: the session still holds the loop.
      fuse.release()
      const result = await this.#parts.stopMode()
      await control?.close()
      const drained: DrainResult = {
        ok: result === undefined || (result.undelivered.size === 0 && result.fullMirrorOwed.length === 0),
        undelivered: result?.undelivered ?? new Map(),
        fullMirrorOwed: result?.fullMirrorOwed ?? [],
        why
      }
      logUndelivered(drained, log)
      this.emit('unmounted', drained)
      return drained
    } catch (err) {
      log.error({ err: describe(err) }, `stopping the mount at ${mountpoint} failed: ${describe(err)}`)
      throw err
    } finally {
      this.#parts.flushLog()
    }
  }
}

function logUndelivered (d: DrainResult, log: Logger): void {
  if (d.ok) { log.info('all changes delivered'); return }
  for (const [label, paths] of d.undelivered) {
    log.error({ target: label, count: paths.length, paths: paths.slice(0, 50) }, `${paths.length} change(s) not delivered to ${label}; they stay journaled for the next mount`)
  }
  for (const label of d.fullMirrorOwed) log.error({ target: label }, `a full mirror to ${label} is still owed; it runs at the next mount`)
}
