/**
 * A few connections to one server, shared by every file and request of a
 * backend: opening an ssh session costs a TCP handshake, a key exchange and
 * a login (~100 ms on loopback, far more across the world), a request on an
 * open one costs a round trip. At most `max` are open; callers beyond that
 * wait for one to come back. An idle connection is closed after `idleMs`
 * (and its timer never keeps the process alive). A connection that died is
 * dropped; when it dies under a request on a reused connection (sshd
 * restarted while it sat idle), the request runs once more on a new one.
 */
import { BackendError } from '../src/errors.js'

export interface PoolItem {
  readonly alive: boolean
  close(): Promise<void>
}

export interface PoolOptions {
  readonly max: number
  readonly idleMs: number
  /** Told when a request is run again because its connection died: for the log. */
  readonly onRetry?: (err: unknown) => void
}

interface Waiter<C> {
  readonly resolve: (lease: Lease<C>) => void
  readonly reject: (err: unknown) => void
  readonly signal: AbortSignal | undefined
}

interface Lease<C> { readonly conn: C; readonly fresh: boolean }

export class SftpPool<C extends PoolItem> {
  /** Connections opened so far, for status and tests. */
  opened = 0
  private readonly open: (signal?: AbortSignal) => Promise<C>
  private readonly o: PoolOptions
  private readonly idle = new Map<C, NodeJS.Timeout>()
  private readonly busy = new Set<C>()
  private readonly closing = new Set<Promise<void>>()
  private waiters: Array<Waiter<C>> = []
  private readonly opening = new Set<Promise<void>>()
  private readonly shutdown = new AbortController()
  private closed = false

  constructor (open: (signal?: AbortSignal) => Promise<C>, o: PoolOptions) {
    this.open = open
    this.o = o
  }

  /** Open connections (idle and busy). */
  get size (): number { return this.idle.size + this.busy.size }

  /** Runs `fn` on a pooled connection; see the file comment for the one retry. */
  async use<T> (fn: (conn: C) => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const { conn, fresh } = await this.acquire(signal)
      try {
        return await fn(conn)
      } catch (err) {
        if (fresh || conn.alive || signal?.aborted === true || attempt > 1) throw err
        this.o.onRetry?.(err)
      } finally {
        this.release(conn)
      }
    }
  }

  /** Closes every connection, waits for their sockets to close, and refuses further use. */
  async close (): Promise<void> {
    this.closed = true
    this.shutdown.abort(closedError())
    for (const w of this.waiters.splice(0)) w.reject(closedError())
    for (const [conn, timer] of this.idle) { clearTimeout(timer); this.retire(conn) }
    this.idle.clear()
    for (const conn of this.busy) this.retire(conn)
    this.busy.clear()
    while (this.closing.size > 0 || this.opening.size > 0) await Promise.allSettled([...this.closing, ...this.opening])
  }

  private acquire (signal: AbortSignal | undefined): Promise<Lease<C>> {
    if (this.closed) return Promise.reject(closedError())
    signal?.throwIfAborted()
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.waiters = this.waiters.filter(x => x !== w)
        reject(signal?.reason)
      }
      const done = (): void => { signal?.removeEventListener('abort', onAbort) }
      const w: Waiter<C> = {
        resolve: l => { done(); resolve(l) },
        reject: err => { done(); reject(err) },
        signal
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiters.push(w)
      this.dispatch()
    })
  }

  /** Hands idle connections, or new ones while under `max`, to waiters in order. */
  private dispatch (): void {
    while (this.waiters.length > 0) {
      const conn = this.takeIdle()
      if (conn !== undefined) {
        this.busy.add(conn)
        this.waiters.shift()?.resolve({ conn, fresh: false })
      } else if (this.size + this.opening.size < this.o.max) {
        this.openFor(this.waiters.shift() as Waiter<C>)
      } else {
        return
      }
    }
  }

  private takeIdle (): C | undefined {
    for (const [conn, timer] of this.idle) {
      clearTimeout(timer)
      this.idle.delete(conn)
      if (conn.alive) return conn
      this.retire(conn)
    }
    return undefined
  }

  private openFor (w: Waiter<C>): void {
    const signal = w.signal === undefined ? this.shutdown.signal : AbortSignal.any([w.signal, this.shutdown.signal])
    const p = this.open(signal).then(conn => {
      this.opened++
      this.busy.add(conn)
      // The caller gave up (abort, close) while this was opening: it is not theirs any more.
      if (signal.aborted) { this.release(conn); w.reject(signal.reason); return }
      w.resolve({ conn, fresh: true })
    }, (err: unknown) => {
      w.reject(err)
    }).finally(() => {
      this.opening.delete(p)
      this.dispatch()
    })
    this.opening.add(p)
  }

  private release (conn: C): void {
    if (!this.busy.delete(conn)) return
    if (this.closed || !conn.alive) {
      this.retire(conn)
    } else {
      const timer = setTimeout(() => { this.idle.delete(conn); this.retire(conn) }, this.o.idleMs)
      timer.unref()
      this.idle.set(conn, timer)
    }
    this.dispatch()
  }

  private retire (conn: C): void {
    const p = conn.close().catch(() => {}).finally(() => { this.closing.delete(p) })
    this.closing.add(p)
  }
}

function closedError (): BackendError {
  return new BackendError('unavailable', 'the sftp backend is closed')
}
