/**
 * The debounce rule for changes not yet synced: a round is due after
 * `quietMs` without a change, but no later than `maxWaitMs` after the first
 * change, so that a writer that never pauses still gets its files out.
 */
import type { SyncReason } from '../../plugins/api.js'

export class ChangeWindow {
  private first: number | undefined
  private last: number | undefined

  constructor (private readonly quietMs: number, private readonly maxWaitMs: number) {}

  note (now: number): void {
    this.first ??= now
    this.last = now
  }

  /** A round took its snapshot: changes from now on open a new window. */
  reset (): void {
    this.first = undefined
    this.last = undefined
  }

  /** When a round is due for these changes, or undefined when there are none. */
  due (): number | undefined {
    if (this.first === undefined || this.last === undefined) return undefined
    return Math.min(this.last + this.quietMs, this.first + this.maxWaitMs)
  }

  /** Why the round due at `due()` runs: the quiet time passed, or max wait cut it short. */
  reason (): Extract<SyncReason, 'quiet' | 'max-wait'> {
    if (this.first === undefined || this.last === undefined) return 'quiet'
    return this.first + this.maxWaitMs < this.last + this.quietMs ? 'max-wait' : 'quiet'
  }
}
