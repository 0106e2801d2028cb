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
  /**
   * True when a target gets a full mirror this round (its first sync, or the
   * first after an unclean stop): `changed` is then what the journal knew,
   * which can miss the last changes before a crash. Rebuild from root.
   */
  readonly fullMirror: boolean
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

/**
 * Thrown from `beforeSync` to ask stalk to skip this round's targets and
 * retry the round later (the command plugin's `on_failure = abort`). Any other
 * error from a hook is logged and the targets still sync.
 */
export class PluginAbortError extends Error {
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'PluginAbortError'
  }
}

/**
 * True for a PluginAbortError. Checks the name as well as the class, because
 * a plugin installed apart from stalk may import its own copy of this module.
 */
export function isPluginAbortError (err: unknown): boolean {
  return err instanceof PluginAbortError ||
    (err instanceof Error && err.name === 'PluginAbortError')
}
