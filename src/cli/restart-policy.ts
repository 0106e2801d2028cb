/**
 * When the supervisor restarts a worker that died after its mount was live,
 * and when it stops trying. A worker that dies again right after each start
 * (a config edited into something broken, a target that kills it, a bug hit
 * at every replay) must not be restarted forever, nor hammered: restarts back
 * off exponentially and are bounded per time window. A worker that served
 * for a while before dying was not crash-looping, so its backoff starts over.
 */
import { backoffDelay } from '../push/backoff.js'
import type { Clock } from '../push/clock.js'

export interface RestartLimits {
  /** Delay before the first restart; doubled for each quick death in a row. */
  readonly firstDelayMs: number
  /** No delay is longer than this. */
  readonly maxDelayMs: number
  /** At most this many restarts within `windowMs`; one more death and the supervisor gives up. */
  readonly maxRestarts: number
  readonly windowMs: number
  /** A worker that was live at least this long counts as healthy: the next delay is the first again. */
  readonly healthyMs: number
}

export const DEFAULT_RESTART_LIMITS: RestartLimits = {
  firstDelayMs: 1000,
  maxDelayMs: 60_000,
  maxRestarts: 5,
  windowMs: 10 * 60_000,
  healthyMs: 60_000
}

export interface RestartHistory {
  /** When each restart inside the window was decided, oldest first. */
  readonly restarts: readonly number[]
  /** Quick deaths in a row since the last healthy run: the backoff exponent. */
  readonly streak: number
}

export const NO_RESTARTS: RestartHistory = { restarts: [], streak: 0 }

export type RestartDecision =
  | { readonly action: 'restart'; readonly delayMs: number; readonly history: RestartHistory }
  | { readonly action: 'give-up'; readonly reason: string; readonly history: RestartHistory }

/**
 * Pure: what to do about a worker that died at `now` after being live for
 * `liveMs` (0 when it never got its mount up), given the restarts so far.
 */
export function decideRestart (history: RestartHistory, now: number, liveMs: number, limits: RestartLimits = DEFAULT_RESTART_LIMITS): RestartDecision {
  const recent = history.restarts.filter(at => now - at < limits.windowMs)
  if (recent.length >= limits.maxRestarts) {
    const reason = `the worker died ${recent.length + 1} times within ${minutes(limits.windowMs)} (at most ${limits.maxRestarts} restarts)`
    return { action: 'give-up', reason, history: { restarts: recent, streak: history.streak } }
  }
  const streak = liveMs >= limits.healthyMs ? 0 : history.streak
  // No jitter: one supervisor per mount, so there is no herd to spread out.
  const delayMs = backoffDelay(streak + 1, { minMs: limits.firstDelayMs, maxMs: limits.maxDelayMs, jitter: 0 })
  return { action: 'restart', delayMs, history: { restarts: [...recent, now], streak: streak + 1 } }
}

export interface RestartPolicy {
  /** The current worker's mount is live (its healthy time counts from now). */
  live(): void
  /** The current worker died: restart (after delayMs) or give up. */
  died(): RestartDecision
}

/**
 * decideRestart with its history kept. The default clock is monotonic, so a
 * wall-clock jump (NTP, a suspended VM) neither empties nor fills the window.
 */
export function createRestartPolicy (limits: RestartLimits = DEFAULT_RESTART_LIMITS, clock: Pick<Clock, 'now'> = { now: () => performance.now() }): RestartPolicy {
  let history = NO_RESTARTS
  let liveSince: number | undefined
  return {
    live: () => { liveSince = clock.now() },
    died: () => {
      const now = clock.now()
      const decision = decideRestart(history, now, liveSince === undefined ? 0 : now - liveSince, limits)
      history = decision.history
      liveSince = undefined
      return decision
    }
  }
}

function minutes (ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`
}
