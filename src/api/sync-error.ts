/**
 * The rejection of handle.sync() when a target did not take the changes:
 * the message lists each failed target's reason (as `stem sync --wait`
 * prints them), and `outcome` keeps the whole per-target report.
 */
import type { SyncResult } from './api-types.js'

export class SyncError extends Error {
  readonly outcome: SyncResult

  constructor (outcome: SyncResult) {
    const failed = outcome.targets.filter(t => !t.ok)
    const reasons = failed.map(t => `${t.label} (${t.destination}): ${t.error ?? 'failed'}`)
    super(`not every target took the changes; they stay pending and are retried: ${reasons.join('; ')}`)
    this.name = 'SyncError'
    this.outcome = outcome
  }

  /** The failed targets' reasons by label. */
  get reasons (): ReadonlyMap<string, string> {
    return new Map(this.outcome.targets.filter(t => !t.ok).map(t => [t.label, t.error ?? 'failed']))
  }
}
