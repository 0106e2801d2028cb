/**
 * Retry delays for a failed push target: capped exponential backoff with
 * jitter, so that a target that is down is not hammered and several daemons
 * pushing to the same host do not retry in lockstep.
 */

export interface BackoffOptions {
  /** The delay after the first failure. */
  readonly minMs: number
  /** No delay is ever longer than this. */
  readonly maxMs: number
  /**
   * The fraction of the delay that jitter may take off (0..1, default 0.2).
   * Jitter only shortens, so the cap holds and `random: () => 0` gives exact
   * delays in tests.
   */
  readonly jitter?: number
  /** A source of [0, 1); Math.random unless a test wants control. */
  readonly random?: () => number
}

const DEFAULT_JITTER = 0.2

/**
 * The delay before retry number `failures` (1 after the first failure):
 * minMs, 2·minMs, 4·minMs … never above maxMs, less up to `jitter` of it.
 */
export function backoffDelay (failures: number, o: BackoffOptions): number {
  const steps = Math.max(0, Math.floor(failures) - 1)
  // 2 ** steps overflows to Infinity for long outages; Math.min handles that.
  const base = Math.min(o.maxMs, o.minMs * 2 ** steps)
  const jitter = Math.min(1, Math.max(0, o.jitter ?? DEFAULT_JITTER))
  const r = (o.random ?? Math.random)()
  return Math.max(0, Math.round(base * (1 - jitter * r)))
}
