/**
 * Runs one step of a sync round (a target's mirror, a plugin hook) under a
 * time limit and the round's abort signal. The step gets its own signal to
 * stop its work; the caller is released as soon as that signal fires, even if
 * the step ignores it, so one hung target cannot hold up shutdown.
 */
import type { Clock } from './clock.js'

export class DeadlineError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'DeadlineError'
  }
}

export interface DeadlineOptions {
  /** Time limit; Infinity or 0 for none. */
  readonly ms: number
  readonly clock: Clock
  /** Aborting this aborts the step too (the round's signal). */
  readonly parent?: AbortSignal
  /** For the error message: "target us-west-2". */
  readonly what: string
}

export async function withDeadline<T> (step: (signal: AbortSignal) => Promise<T> | T, o: DeadlineOptions): Promise<T> {
  const ac = new AbortController()
  const onParent = (): void => ac.abort(o.parent?.reason)
  if (o.parent?.aborted === true) onParent()
  o.parent?.addEventListener('abort', onParent, { once: true })
  const limited = Number.isFinite(o.ms) && o.ms > 0
  const timer = limited
    ? o.clock.setTimeout(() => ac.abort(new DeadlineError(`${o.what} took longer than ${o.ms} ms`)), o.ms)
    : undefined
  try {
    return await new Promise<T>((resolve, reject) => {
      if (ac.signal.aborted) {
        reject(ac.signal.reason)
        return
      }
      ac.signal.addEventListener('abort', () => reject(ac.signal.reason), { once: true })
      Promise.resolve().then(() => step(ac.signal)).then(resolve, reject)
    })
  } finally {
    if (timer !== undefined) o.clock.clearTimeout(timer)
    o.parent?.removeEventListener('abort', onParent)
  }
}
