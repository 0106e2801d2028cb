/**
 * What `stem sync` gets back. A round asked for over the socket runs after
 * the one in flight (rounds never overlap) and snapshots the journal when it
 * starts, so once it is done every change made before the request has been
 * offered to every target: a target it skipped had nothing pending, and a
 * target it ran either took everything or failed with a reason.
 */
import type { RoundReport, SyncerStatus } from '../push/syncer-types.js'
import { redact } from './status-report.js'

export interface SyncTargetOutcome {
  readonly label: string
  readonly destination: string
  /** Everything up to the request is there. */
  readonly ok: boolean
  /** Whether this round delivered to the target (false: it had nothing pending). */
  readonly ran: boolean
  readonly error: string | null
  /** Paths still waiting for it now (changes made after the request count too). */
  readonly pending: number
}

export type SyncOutcome =
  | { readonly waited: false; readonly started: true }
  | {
      readonly waited: true
      readonly ok: boolean
      readonly round: { readonly startedAt: string; readonly finishedAt: string } | null
      readonly targets: readonly SyncTargetOutcome[]
    }

/** The part of the Syncer a sync request uses. */
export interface SyncControl {
  syncNow(): Promise<RoundReport>
  status(): SyncerStatus
}

/** Starts a round; with `wait`, resolves when it is done. Refuses while the daemon is stopping. */
export async function requestSync (syncer: SyncControl, wait: boolean, onError: (err: unknown) => void): Promise<SyncOutcome> {
  const state = syncer.status().state
  if (state === 'stopping' || state === 'stopped') {
    throw new Error('the daemon is stopping: its final round delivers what is pending (see its log)')
  }
  const round = syncer.syncNow()
  if (!wait) {
    round.catch(onError)
    return { waited: false, started: true }
  }
  const report = await round
  const targets = syncer.status().targets.map(t => {
    const r = report.results.find(x => x.target === t.label)
    const ok = r?.ok ?? true
    return {
      label: t.label,
      destination: redact(t.destination),
      ok,
      ran: r !== undefined,
      error: ok ? null : redact(r?.error ?? 'failed'),
      pending: t.pending
    }
  })
  const ran = report.results.length > 0
  return {
    waited: true,
    ok: targets.every(t => t.ok),
    round: ran ? { startedAt: new Date(report.startedAt).toISOString(), finishedAt: new Date(report.finishedAt).toISOString() } : null,
    targets
  }
}
