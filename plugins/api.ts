/**
 * The public contract for stalk plugins, importable as `stalk/plugin`.
 *
 * A plugin module exports a factory, either as `export const plugin =
 * definePlugin(factory)` or as its default export. stalk calls the factory
 * once per mount with the options from its `[plugin]` section; the hooks it
 * returns run around every sync round.
 */
import type { TargetResult } from '../backends/backend.js'
import type { Logger } from '../src/logger.js'

export type { TargetResult } from '../backends/backend.js'
export type { Logger } from '../src/logger.js'

/** Why a sync round runs. */
export type SyncReason = 'quiet' | 'max-wait' | 'shutdown' | 'manual' | 'startup' | 'retry'

export interface SyncEvent {
  /** The backing folder (never the mountpoint: reading it cannot deadlock). */
  readonly root: string
  /** Paths relative to root that changed since the last successful round ('a/b.rpm'). */
  readonly changed: ReadonlySet<string>
  readonly reason: SyncReason
  /** Aborted when the round's time limit passes or the daemon stops. */
  readonly signal: AbortSignal
}

export interface PluginContext {
  readonly root: string
  readonly mountpoint: string
  /** The directory of the config file, for resolving relative paths. */
  readonly configDir: string
  readonly log: Logger
  readonly signal: AbortSignal
}

export interface StalkPlugin {
  readonly apiVersion: 1
  readonly name: string
  init?(ctx: PluginContext): void | Promise<void>
  /** The post-write trigger: runs before targets sync (e.g. createrepo). */
  beforeSync?(e: SyncEvent): void | Promise<void>
  afterSync?(e: SyncEvent & { readonly results: readonly TargetResult[] }): void | Promise<void>
  close?(): void | Promise<void>
}

/** Options are the `[plugin]` section's own keys (not those inherited from [DEFAULT]), in file order. */
export type PluginFactory = (options: ReadonlyMap<string, string>, ctx: PluginContext) => StalkPlugin | Promise<StalkPlugin>

/** Marks a factory as a stalk plugin (identity at runtime; gives authors the types). */
export function definePlugin (factory: PluginFactory): PluginFactory {
  return factory
}
