/**
 * What the syncer takes and what it reports: options, status, events.
 * Kept apart from the state machine so that status readers (`stem status`,
 * metrics) depend on these shapes only.
 */
import type { Target, TargetResult } from '../../backends/backend.js'
import type { StalkPlugin, SyncReason } from '../../plugins/api.js'
import type { Clock } from './clock.js'
import type { Journal } from './journal.js'
import type { Logger } from '../logger.js'
import type { PluginSlot } from './sync-round.js'

/** The part of the journal the syncer uses (a Journal, or a fake in tests). */
export type SyncJournal = Pick<Journal, 'pending' | 'pendingCount' | 'hasPending' | 'markDelivered'>

export interface SyncerOptions {
  /** The backing folder targets and plugins read (never the mountpoint). */
  readonly root: string
  /** A round starts after this much time without changes… */
  readonly quietMs: number
  /** …but no later than this after the first change not yet synced. */
  readonly maxWaitMs: number
  /** A failed target is retried after retryMinMs, doubling up to retryMaxMs. */
  readonly retryMinMs: number
  readonly retryMaxMs: number
  /** Time limit of one target's delivery. */
  readonly targetTimeoutMs: number
  /** Per-target time limits by label ([target:LABEL] timeout); targetTimeoutMs for the others. */
  readonly targetTimeoutsMs?: ReadonlyMap<string, number>
  /** Time limit of one plugin hook call unless its slot says otherwise (default targetTimeoutMs). */
  readonly pluginTimeoutMs?: number
  readonly targets: readonly Target[]
  /** In config order; a bare plugin runs with the defaults (time limit above, failures logged and ignored). */
  readonly plugins: readonly (StalkPlugin | PluginSlot)[]
  readonly journal: SyncJournal
  readonly log: Logger
  /** Default: the system clock. */
  readonly clock?: Clock
  /** Jitter source for retry delays, [0, 1) (default Math.random; `() => 0` gives exact delays). */
  readonly random?: () => number
}

export type SyncerState = 'idle' | 'pending' | 'running' | 'stopping' | 'stopped'

export interface TargetStatus {
  readonly label: string
  readonly destination: string
  /** Clock time of the last successful delivery. */
  readonly lastSuccessAt: number | undefined
  /** The last failure as the tool reported it; cleared by a success. */
  readonly lastError: string | undefined
  readonly lastErrorAt: number | undefined
  /** Failures in a row. */
  readonly failures: number
  /** Paths waiting for this target. */
  readonly pending: number
  /** The target is owed a full mirror (new target, or after a crash). */
  readonly fullMirrorPending: boolean
  /** When the next retry is due, while the target is backing off. */
  readonly nextRetryAt: number | undefined
  readonly running: boolean
}

export interface RoundReport {
  readonly reason: SyncReason
  readonly startedAt: number
  readonly finishedAt: number
  /** Union of the paths the round's targets were sent (what plugins saw). */
  readonly changed: ReadonlySet<string>
  /** One per target that had something to deliver; targets with nothing pending are skipped. */
  readonly results: readonly TargetResult[]
}

export interface SyncerStatus {
  readonly state: SyncerState
  readonly roundsRun: number
  readonly lastRound: { readonly reason: SyncReason; readonly startedAt: number; readonly finishedAt: number; readonly ok: boolean } | undefined
  /** When the next round is scheduled (debounce or retry), if one is. */
  readonly nextRoundAt: number | undefined
  readonly targets: readonly TargetStatus[]
}

export interface ShutdownResult {
  /** Per target label, the paths it never received; empty when everything was delivered. */
  readonly undelivered: ReadonlyMap<string, readonly string[]>
  /** Labels that were still owed a full mirror (their path list may be empty). */
  readonly fullMirrorOwed: readonly string[]
}

/** Emitted as 'error' (only when someone listens, so an unhandled 'error' cannot crash the daemon). */
export class SyncFailure extends Error {
  readonly source: 'target' | 'plugin'
  /** The target label or plugin name. */
  readonly subject: string
  constructor (source: 'target' | 'plugin', subject: string, message: string, cause: unknown) {
    super(`${source} ${subject}: ${message}`, { cause })
    this.name = 'SyncFailure'
    this.source = source
    this.subject = subject
  }
}

export interface SyncerEvents {
  round: [RoundReport]
  error: [SyncFailure]
}
