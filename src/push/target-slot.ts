/**
 * The syncer's bookkeeping for one target: when it last succeeded, why it
 * last failed, and when it may be retried. Backoff is per target so that a
 * target that is down never delays the others.
 */
import type { Target, TargetResult } from '../../backends/backend.js'
import { backoffDelay, type BackoffOptions } from './backoff.js'
import type { ShutdownResult, SyncJournal, TargetStatus } from './syncer-types.js'

export class TargetSlot {
  lastSuccessAt: number | undefined
  lastError: string | undefined
  lastErrorAt: number | undefined
  failures = 0
  /** Set while backing off: the target is left out of change rounds until then. */
  retryAt: number | undefined
  running = false

  constructor (readonly target: Target) {}

  get label (): string {
    return this.target.label
  }

  hasPending (journal: SyncJournal): boolean {
    const c = journal.pendingCount(this.label)
    return c.paths > 0 || c.all
  }

  /** Records a round's outcome; returns the retry delay after a failure. */
  settle (r: TargetResult, now: number, backoff: BackoffOptions): number | undefined {
    if (r.ok) {
      this.lastSuccessAt = now
      this.lastError = undefined
      this.failures = 0
      this.retryAt = undefined
      return undefined
    }
    this.lastError = r.error ?? 'failed'
    this.lastErrorAt = now
    this.failures++
    const delay = backoffDelay(this.failures, backoff)
    this.retryAt = now + delay
    return delay
  }

  status (journal: SyncJournal): TargetStatus {
    const c = journal.pendingCount(this.label)
    return {
      label: this.label,
      destination: this.target.destination,
      lastSuccessAt: this.lastSuccessAt,
      lastError: this.lastError,
      lastErrorAt: this.lastErrorAt,
      failures: this.failures,
      pending: c.paths,
      fullMirrorPending: c.all,
      nextRetryAt: this.retryAt,
      running: this.running
    }
  }
}

/** What each target is still owed, for the shutdown report. */
export function undeliveredOf (slots: readonly TargetSlot[], journal: SyncJournal): ShutdownResult {
  const undelivered = new Map<string, string[]>()
  const fullMirrorOwed: string[] = []
  for (const s of slots) {
    const p = journal.pending(s.label)
    if (p.size > 0 || p.all) undelivered.set(s.label, [...p].sort())
    if (p.all) fullMirrorOwed.push(s.label)
  }
  return { undelivered, fullMirrorOwed }
}
