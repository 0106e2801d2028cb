/**
 * The `stem` end of the control socket: one request, one answer, then the
 * connection is closed. A daemon that is not there, refuses, hangs or
 * hangs up is a DaemonUnreachableError, kept apart from a daemon that
 * answered with a refusal (DaemonRefusedError), because `stem status` says
 * very different things about the two.
 */
import { connect } from 'node:net'
import { LineSplitter, parseResponse, type ControlCommand } from './control-protocol.js'

export type UnreachableReason = 'no-socket' | 'refused' | 'timeout' | 'hung-up' | 'other'

export class DaemonUnreachableError extends Error {
  constructor (readonly reason: UnreachableReason, readonly path: string, detail: string) {
    super(`no daemon answers on ${path}: ${detail}`)
    this.name = 'DaemonUnreachableError'
  }
}

/** The daemon understood the request and said no (e.g. sync in pull mode). */
export class DaemonRefusedError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'DaemonRefusedError'
  }
}

export interface RequestOptions {
  /** sync: answer once the round is done. */
  readonly wait?: boolean
  /** Give up after this long; undefined = wait as long as it takes (sync --wait). */
  readonly timeoutMs?: number
  /** refresh: the names to mark stale (none: all). */
  readonly names?: readonly string[]
}

/** Sends `cmd` to the daemon listening on `path`; resolves with its result. */
export function controlRequest (path: string, cmd: ControlCommand, o: RequestOptions = {}): Promise<unknown> {
  const id = 1
  return new Promise((resolve, reject) => {
    const socket = connect(path)
    let settled = false
    const finish = (err: Error | undefined, value?: unknown): void => {
      if (settled) return
      settled = true
      if (timer !== undefined) clearTimeout(timer)
      socket.destroy()
      if (err === undefined) resolve(value); else reject(err)
    }
    const timer = o.timeoutMs === undefined
      ? undefined
      : setTimeout(() => finish(new DaemonUnreachableError('timeout', path, `no answer within ${o.timeoutMs} ms`)), o.timeoutMs)
    const lines = new LineSplitter(line => {
      let res
      try { res = parseResponse(line) } catch (err) { finish(err as Error); return }
      if (res.id !== id && res.id !== null) return
      if (res.ok) finish(undefined, res.result); else finish(new DaemonRefusedError(res.error))
    })
    socket.on('connect', () => { socket.write(JSON.stringify({ id, cmd, ...(o.wait === undefined ? {} : { wait: o.wait }), ...(o.names === undefined ? {} : { names: o.names }) }) + '\n') })
    socket.on('data', chunk => { if (!lines.push(chunk)) finish(new Error('the daemon sent an over-long line')) })
    socket.on('error', (err: NodeJS.ErrnoException) => finish(unreachable(path, err)))
    socket.on('close', () => finish(new DaemonUnreachableError('hung-up', path, 'the daemon closed the connection before answering (it is stopping?)')))
  })
}

function unreachable (path: string, err: NodeJS.ErrnoException): DaemonUnreachableError {
  if (err.code === 'ENOENT') return new DaemonUnreachableError('no-socket', path, 'the socket does not exist')
  if (err.code === 'ECONNREFUSED') return new DaemonUnreachableError('refused', path, 'connection refused (a stale socket)')
  if (err.code === 'EACCES') return new DaemonUnreachableError('other', path, 'permission denied (the socket belongs to another user)')
  return new DaemonUnreachableError('other', path, err.message)
}
