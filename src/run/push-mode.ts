/**
 * Composition root of push mode: config → journal → targets → plugins →
 * syncer → loopback ops. Mounting and the shutdown sequence are the
 * caller's (run-mount.ts); this file only wires the parts together.
 */
import type { Target } from '../../backends/backend.js'
import { createTarget } from '../../backends/registry.js'
import type { StalkPlugin } from '../../plugins/api.js'
import type { PushConfig } from '../config/types.js'
import { StemError } from '../exit-codes.js'
import type { FsOps } from '../fuse/fs-ops.js'
import type { Logger } from '../logger.js'
import { closePlugins } from '../plugins/close-plugins.js'
import { loadPlugins } from '../plugins/load-plugins.js'
import { Journal } from '../push/journal.js'
import { createLoopbackFs } from '../push/loopback-fs.js'
import { StateLockedError } from '../push/state-lock.js'
import { Syncer, type ShutdownResult } from '../push/syncer.js'
import { checkTargets, enforcePreflight } from './preflight.js'

export interface PushMode {
  readonly ops: FsOps
  readonly syncer: Syncer
  readonly journal: Journal
  /** After the mount is live: deliver what an earlier run left pending. */
  start(): Promise<void>
  /** The final round (bounded by the grace time), then release everything. */
  stop(): Promise<ShutdownResult>
}

export interface PushModeOptions {
  readonly config: PushConfig
  readonly mountpoint: string
  readonly log: Logger
  readonly signal: AbortSignal
}

/** Every target must answer before we mount (preflight.ts), so a typo'd host fails now and not in an hour. */
export async function createPushMode (o: PushModeOptions): Promise<PushMode> {
  const { config, log } = o
  const targets = config.targets.length > 0
    ? config.targets.map(t => createTarget(t, { log: log.child({ target: t.label }) }))
    : [PLUGINS_ONLY]
  enforcePreflight(await checkTargets(targets), config.lazy, log)
  const journal = await openJournal(config, targets, log)
  let plugins: StalkPlugin[]
  try {
    plugins = await loadPlugins(config.plugins, { configFile: config.file, root: config.root, mountpoint: o.mountpoint, log, signal: o.signal })
  } catch (err) {
    await journal.close()
    throw err
  }
  const syncer = new Syncer({
    root: config.root,
    quietMs: config.quietMs,
    maxWaitMs: config.maxWaitMs,
    retryMinMs: config.retryMinMs,
    retryMaxMs: config.retryMaxMs,
    targetTimeoutMs: Math.max(...config.targets.map(t => t.timeoutMs), 1000),
    targetTimeoutsMs: new Map(config.targets.map(t => [t.label, t.timeoutMs])),
    targets,
    plugins,
    journal,
    log: log.child({ part: 'sync' })
  })
  syncer.on('error', () => { /* already logged by the syncer; the listener keeps it from throwing */ })
  const onChange = (rel: string): void => { journal.record(rel); syncer.notify(rel) }
  const ops = createLoopbackFs({ root: config.root, onChange, log: log.child({ part: 'fs' }) })
  return {
    ops, syncer, journal,
    start: () => syncer.start(),
    stop: async () => {
      await journal.flush()
      const result = await syncer.shutdown(config.shutdownGraceMs)
      await closePlugins(plugins, log)
      await Promise.allSettled(targets.map(t => t.close()))
      await journal.close()
      return result
    }
  }
}

/**
 * The syncer runs a round only for targets with pending changes, so a config
 * with plugins and no [target] (a post-write trigger alone, e.g. createrepo
 * on a local folder) never ran its plugins. This stand-in delivers nowhere;
 * it gives the journal and the syncer a label to track changes under.
 */
const PLUGINS_ONLY: Target = {
  label: 'plugins-only',
  destination: '(none: no [target] configured)',
  mirror: async () => {},
  check: async () => {},
  close: async () => {}
}

async function openJournal (config: PushConfig, targets: readonly Target[], log: Logger): Promise<Journal> {
  try {
    return await Journal.open(config.stateDir, targets.map(t => t.label), { log: log.child({ part: 'journal' }) })
  } catch (err) {
    if (err instanceof StateLockedError) {
      throw new StemError('mountpointBusy', `another stalk daemon (pid ${err.pid}) is running on the same root ${config.root} (state ${config.stateDir})`, { cause: err })
    }
    throw err
  }
}
