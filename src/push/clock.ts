/**
 * Time as the push pipeline sees it. The syncer never calls the global timers
 * directly, so its debounce and backoff can be tested with `manualClock()`
 * without real sleeps.
 */
import { setImmediate as nextMacrotask } from 'node:timers/promises'

/** Opaque: each clock only accepts the handles it made. */
export type TimerHandle = object

export interface Clock {
  /** Milliseconds, monotonic enough for scheduling (epoch ms for the system clock). */
  now(): number
  setTimeout(fn: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
}

class SystemTimer {
  constructor (readonly timeout: NodeJS.Timeout) {}
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => new SystemTimer(setTimeout(fn, ms)),
  clearTimeout: handle => {
    if (handle instanceof SystemTimer) clearTimeout(handle.timeout)
  }
}

class ManualTimer {
  constructor (readonly due: number, readonly order: number, readonly fn: () => void) {}
}

/** A clock that only moves when told to. */
export interface ManualClock extends Clock {
  /**
   * Moves time forward by `ms`, firing due timers one at a time in due order;
   * after each, lets promise chains and immediates settle so that work a timer
   * started can arm the next timer before time moves on.
   */
  advance(ms: number): Promise<void>
  /** Lets pending promise chains run without moving time. */
  settle(): Promise<void>
  /** When the earliest armed timer fires, or undefined when none is armed. */
  nextDue(): number | undefined
}

/** Settling takes a few macrotask turns because fs callbacks and promise hops can interleave. */
const SETTLE_TURNS = 5

export function manualClock (start = 0): ManualClock {
  let now = start
  let order = 0
  const timers = new Set<ManualTimer>()
  const earliest = (): ManualTimer | undefined => {
    let best: ManualTimer | undefined
    for (const t of timers) {
      if (best === undefined || t.due < best.due || (t.due === best.due && t.order < best.order)) best = t
    }
    return best
  }
  const settle = async (): Promise<void> => {
    for (let i = 0; i < SETTLE_TURNS; i++) await nextMacrotask()
  }
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      const t = new ManualTimer(now + Math.max(0, ms), order++, fn)
      timers.add(t)
      return t
    },
    clearTimeout: handle => {
      if (handle instanceof ManualTimer) timers.delete(handle)
    },
    settle,
    nextDue: () => earliest()?.due,
    advance: async ms => {
      const target = now + ms
      await settle()
      for (let t = earliest(); t !== undefined && t.due <= target; t = earliest()) {
        timers.delete(t)
        now = Math.max(now, t.due)
        t.fn()
        await settle()
      }
      now = target
      await settle()
    }
  }
}
