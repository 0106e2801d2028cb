/**
 * At most one piece of work per key at a time, shared by every caller that
 * asks while it runs (ten opens of a cold file make one download).
 *
 * Each caller may bring its own AbortSignal. A caller that aborts stops
 * waiting at once, but the shared work goes on for the others; only when
 * every waiting caller has aborted is the work's own signal aborted. A
 * caller arriving while aborted work is still winding down waits for it to
 * end and then starts new work, so two runs for one key never overlap (their
 * commits could interleave).
 */

interface Flight<V> {
  readonly promise: Promise<V>
  readonly controller: AbortController
  waiters: number
}

export class SingleFlight<K, V> {
  readonly #flights = new Map<K, Flight<V>>()

  /** Whether work for `key` is running now. */
  has (key: K): boolean {
    return this.#flights.has(key)
  }

  /** Resolves when every run going now has ended (for shutdown). */
  async idle (): Promise<void> {
    await Promise.allSettled([...this.#flights.values()].map(f => f.promise))
  }

  /** Runs `work` for `key`, or joins the run already going. */
  run (key: K, work: (signal: AbortSignal) => Promise<V>, signal?: AbortSignal): Promise<V> {
    if (signal?.aborted === true) return Promise.reject(signal.reason)
    const current = this.#flights.get(key)
    if (current?.controller.signal.aborted === true) {
      const retry = (): Promise<V> => this.run(key, work, signal)
      return current.promise.then(retry, retry)
    }
    const flight = current ?? this.#start(key, work)
    return this.#wait(flight, signal)
  }

  #start (key: K, work: (signal: AbortSignal) => Promise<V>): Flight<V> {
    const controller = new AbortController()
    // Started in a later microtask so the flight is in the map before work can look.
    const promise = Promise.resolve().then(() => work(controller.signal))
    const flight: Flight<V> = { promise, controller, waiters: 0 }
    this.#flights.set(key, flight)
    const done = (): void => {
      if (this.#flights.get(key) === flight) this.#flights.delete(key)
    }
    promise.then(done, done)
    return flight
  }

  #wait (flight: Flight<V>, signal: AbortSignal | undefined): Promise<V> {
    flight.waiters++
    if (signal === undefined) return flight.promise
    return new Promise<V>((resolve, reject) => {
      const onAbort = (): void => {
        flight.waiters--
        if (flight.waiters === 0) flight.controller.abort(signal.reason)
        reject(signal.reason)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      flight.promise.then(v => {
        signal.removeEventListener('abort', onAbort)
        resolve(v)
      }, (err: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(err)
      })
    })
  }
}
