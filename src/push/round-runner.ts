/**
 * Runs one sync round: picks the targets, snapshots what each is owed,
 * runs plugins' beforeSync, the targets in parallel, afterSync, and settles
 * the journal and each target's backoff. Scheduling (when a round runs, and
 * that rounds never overlap) is the syncer's job.
 */
import type { TargetResult } from '../../backends/backend.js'
import type { SyncReason } from '../../plugins/api.js'
import type { Clock } from './clock.js'
import { deliverAll, notRun, runHook, type Delivery, type PluginSlot, type StepDeps } from './sync-round.js'
import type { RoundReport, SyncerOptions, SyncerStatus } from './syncer-types.js'
import type { TargetSlot } from './target-slot.js'

/** Which targets a round takes: those whose debounced changes are due, whose retry is due, or all with anything pending. */
export type RoundMode = 'changes' | 'retry' | 'force'

export interface RoundHooks {
  readonly onRound: (report: RoundReport) => void
  readonly onFailure: StepDeps['onFailure']
}

export class RoundRunner {
  roundsRun = 0
  lastRound: SyncerStatus['lastRound']
  private abortCtl: AbortController | undefined

  constructor (
    private readonly o: SyncerOptions,
    private readonly slots: readonly TargetSlot[],
    private readonly plugins: readonly PluginSlot[],
    private readonly clock: Clock,
    private readonly hooks: RoundHooks
  ) {}

  /** Aborts the running round's plugins and targets (the shutdown grace passed). */
  abort (reason: Error): void {
    this.abortCtl?.abort(reason)
  }

  /** Takes the snapshots synchronously, before the first await: later changes belong to the next round. */
  async run (reason: SyncReason, mode: RoundMode): Promise<RoundReport> {
    const startedAt = this.clock.now()
    const deliveries = this.select(mode, startedAt)
    if (deliveries.length === 0) return emptyReport(reason, startedAt)
    const changed = new Set<string>()
    for (const d of deliveries) for (const p of d.snapshot) changed.add(p)
    this.abortCtl = new AbortController()
    const deps: StepDeps = { root: this.o.root, clock: this.clock, log: this.o.log, signal: this.abortCtl.signal, onFailure: this.hooks.onFailure }
    const event = { root: this.o.root, changed, reason, fullMirror: deliveries.some(d => d.snapshot.all) }
    const pluginMs = this.o.pluginTimeoutMs ?? this.o.targetTimeoutMs
    try {
      this.setRunning(deliveries, true)
      const go = await runHook('beforeSync', this.plugins, (p, signal) => p.beforeSync?.({ ...event, signal }), pluginMs, deps)
      const results = go ? await deliverAll(deliveries, label => this.o.targetTimeoutsMs?.get(label) ?? this.o.targetTimeoutMs, deps) : notRun(deliveries, 'not run: a plugin with on-failure abort failed')
      this.setRunning(deliveries, false)
      this.settle(deliveries, results)
      await runHook('afterSync', this.plugins, (p, signal) => p.afterSync?.({ ...event, signal, results }), pluginMs, deps)
      const report: RoundReport = { reason, startedAt, finishedAt: this.clock.now(), changed, results }
      this.roundsRun++
      this.lastRound = { reason, startedAt, finishedAt: report.finishedAt, ok: results.every(r => r.ok) }
      this.hooks.onRound(report)
      return report
    } finally {
      this.setRunning(deliveries, false)
      this.abortCtl = undefined
    }
  }

  private select (mode: RoundMode, now: number): Delivery[] {
    const chosen = this.slots.filter(s => {
      if (!s.hasPending(this.o.journal)) return false
      if (mode === 'force') return true
      // A target backing off waits for its retry, even when other changes are due.
      if (s.retryAt !== undefined) return s.retryAt <= now
      return mode === 'changes'
    })
    return chosen.map(s => ({ target: s.target, snapshot: this.o.journal.pending(s.label) }))
  }

  private setRunning (ds: readonly Delivery[], running: boolean): void {
    for (const s of this.slots) if (ds.some(d => d.target === s.target)) s.running = running
  }

  /** Clears delivered paths right away (before afterSync), so that a crash in a hook does not resend them. */
  private settle (ds: readonly Delivery[], results: readonly TargetResult[]): void {
    const now = this.clock.now()
    const backoff = { minMs: this.o.retryMinMs, maxMs: this.o.retryMaxMs, ...(this.o.random ? { random: this.o.random } : {}) }
    ds.forEach((d, i) => {
      const r = results[i]
      const slot = this.slots.find(s => s.target === d.target)
      if (r === undefined || slot === undefined) return
      if (r.ok) this.o.journal.markDelivered(slot.label, d.snapshot)
      const delay = slot.settle(r, now, backoff)
      if (delay === undefined) return
      this.o.log.error({ target: slot.label, destination: d.target.destination, failures: slot.failures, retryInMs: delay, err: r.error },
        `sync to ${slot.label} failed, retry in ${Math.round(delay / 1000)} s: ${r.error ?? ''}`)
    })
  }
}

export function emptyReport (reason: SyncReason, at: number): RoundReport {
  return { reason, startedAt: at, finishedAt: at, changed: new Set(), results: [] }
}
