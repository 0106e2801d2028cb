/**
 * The push debounce state machine: idle → pending (quiet timer, re-armed by
 * each change but never past maxWait since the first) → running (snapshot
 * each target's pending set, plugins' beforeSync, targets in parallel,
 * afterSync) → idle, or pending again for changes that came in meanwhile, or
 * a retry of each failed target after its own backoff.
 *
 * Rounds never overlap. A change round leaves out targets that are backing
 * off (their changes wait in the journal for their retry); a retry round runs
 * only the targets whose retry is due; manual, startup and shutdown rounds run
 * every target with something pending. What a target received is cleared from
 * the journal only after it succeeded.
 */
import { EventEmitter } from 'node:events'
import type { SyncReason } from '../../plugins/api.js'
import { ChangeWindow } from './change-window.js'
import { systemClock, type Clock, type TimerHandle } from './clock.js'
import { emptyReport, RoundRunner, type RoundMode } from './round-runner.js'
import { describeError } from './sync-round.js'
import { SyncFailure, type RoundReport, type ShutdownResult, type SyncerEvents, type SyncerOptions, type SyncerStatus } from './syncer-types.js'
import { TargetSlot, undeliveredOf } from './target-slot.js'
import { DeadlineError } from './with-deadline.js'

export * from './syncer-types.js'
export type { PluginSlot } from './sync-round.js'

export class Syncer extends EventEmitter<SyncerEvents> {
  private readonly o: SyncerOptions
  private readonly clock: Clock
  private readonly slots: readonly TargetSlot[]
  private readonly runner: RoundRunner
  private readonly window: ChangeWindow
  private timer: TimerHandle | undefined
  private timerDue: number | undefined
  /** The round in flight; settles (never rejects) when it is done. */
  private current: Promise<void> | undefined
  private stopping = false
  private stopped = false
  private shutdownResult: Promise<ShutdownResult> | undefined

  constructor (o: SyncerOptions) {
    super()
    this.o = o
    this.clock = o.clock ?? systemClock
    this.slots = o.targets.map(t => new TargetSlot(t))
    const plugins = o.plugins.map(p => 'apiVersion' in p ? { plugin: p } : p)
    this.runner = new RoundRunner(o, this.slots, plugins, this.clock, {
      onRound: report => this.emit('round', report),
      onFailure: (source, name, err) => {
        // An 'error' event without a listener would throw and take the daemon down.
        if (this.listenerCount('error') > 0) this.emit('error', new SyncFailure(source, name, describeError(err), err))
      }
    })
    this.window = new ChangeWindow(o.quietMs, o.maxWaitMs)
  }

  /** Call after journal.record(path). During shutdown the change stays in the journal for the next start. */
  notify (path: string): void {
    this.window.note(this.clock.now())
    this.o.log.trace({ path }, 'change noted')
    this.schedule()
  }

  /** Runs a round at once if the journal has pending entries from an earlier run. */
  async start (): Promise<void> {
    if (!this.stopping && this.o.journal.hasPending()) await this.runExclusive('startup', 'force')
  }

  /** Runs a round now (after the one in flight, if any) for every target with something pending. */
  async syncNow (reason: SyncReason = 'manual'): Promise<RoundReport> {
    if (this.stopping) return emptyReport(reason, this.clock.now())
    return this.runExclusive(reason, 'force')
  }

  /**
   * Stops scheduling, waits for the round in flight, runs a final round if
   * anything is pending; when `graceMs` passes, the running targets are
   * aborted. Resolves with what stayed undelivered. Safe to call twice.
   */
  shutdown (graceMs: number): Promise<ShutdownResult> {
    this.shutdownResult ??= this.stop(graceMs)
    return this.shutdownResult
  }

  status (): SyncerStatus {
    const state = this.stopped ? 'stopped' : this.stopping ? 'stopping' : this.current !== undefined ? 'running' : this.timer !== undefined ? 'pending' : 'idle'
    const targets = this.slots.map(s => s.status(this.o.journal))
    return { state, roundsRun: this.runner.roundsRun, lastRound: this.runner.lastRound, nextRoundAt: this.stopping ? undefined : this.nextDue(), targets }
  }

  private async stop (graceMs: number): Promise<ShutdownResult> {
    this.stopping = true
    this.cancelTimer()
    let expired = false
    const grace = this.clock.setTimeout(() => {
      expired = true
      this.runner.abort(new DeadlineError(`shutdown grace of ${graceMs} ms passed`))
    }, graceMs)
    try {
      while (this.current !== undefined) await this.current
      if (!expired && this.o.journal.hasPending()) await this.runExclusive('shutdown', 'force')
    } finally {
      this.clock.clearTimeout(grace)
      this.stopped = true
    }
    return undeliveredOf(this.slots, this.o.journal)
  }

  private cancelTimer (): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
    this.timerDue = undefined
  }

  private nextDue (): number | undefined {
    let due = this.window.due()
    for (const s of this.slots) {
      if (s.retryAt !== undefined && s.hasPending(this.o.journal)) due = Math.min(due ?? Infinity, s.retryAt)
    }
    return due
  }

  /**
   * Arms the one timer for the earliest due round. A timer that fires too
   * early is fine (fire() re-arms), so a burst of writes costs no timer churn.
   */
  private schedule (): void {
    if (this.stopping || this.current !== undefined) return
    const due = this.nextDue()
    if (due === undefined) return this.cancelTimer()
    if (this.timerDue !== undefined && this.timerDue <= due) return
    this.cancelTimer()
    this.timerDue = due
    this.timer = this.clock.setTimeout(() => this.fire(), Math.max(0, due - this.clock.now()))
  }

  private fire (): void {
    this.timer = undefined
    this.timerDue = undefined
    if (this.stopping || this.current !== undefined) return
    const now = this.clock.now()
    const due = this.nextDue()
    if (due === undefined || due > now) return this.schedule()
    const changes = this.window.due()
    const run = changes !== undefined && changes <= now
      ? this.runExclusive(this.window.reason(), 'changes')
      : this.runExclusive('retry', 'retry')
    run.catch((err: unknown) => this.o.log.error({ err: describeError(err) }, `sync round failed: ${describeError(err)}`))
  }

  private async runExclusive (reason: SyncReason, mode: RoundMode): Promise<RoundReport> {
    while (this.current !== undefined) await this.current
    // A caller that queued behind the final round finds the journal about to close.
    if (this.stopped) return emptyReport(reason, this.clock.now())
    // Reset and snapshot happen in this same tick, so no change can fall between them.
    if (mode !== 'retry') this.window.reset()
    const run = this.runner.run(reason, mode)
    this.current = run.then(() => {}, () => {})
    try {
      return await run
    } finally {
      this.current = undefined
      this.schedule()
    }
  }
}
