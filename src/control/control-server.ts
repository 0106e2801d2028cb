/**
 * The daemon's end of the control socket. Listening takes the socket path
 * over from a crashed daemon (a socket file nobody answers on is stale) but
 * never from a live one: if something answers there, listen refuses, so a
 * second daemon for the same mountpoint cannot steal the first one's socket.
 *
 * The socket is bound under a temporary name, made 0600, and renamed into
 * place: the rename replaces a stale file atomically, nobody can connect
 * before the mode is set, and libuv, which unlinks the name it bound when
 * the server closes, only ever unlinks the (long gone) temporary name. The
 * real name is removed at close and, as a last resort, at process exit, but
 * only while it is still ours (same inode), so a late exit never removes a
 * successor's socket.
 */
import { lstatSync, unlinkSync } from 'node:fs'
import { chmod, lstat, readdir, rename, unlink } from 'node:fs/promises'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { dirname, join } from 'node:path'
import { describe } from '../errors.js'
import type { Logger } from '../logger.js'
import { isRequest, LineSplitter, parseRequest, type ControlRequest, type ControlResponse } from './control-protocol.js'
import { ensureControlDir } from './socket-path.js'

/** Answers one request; a throw becomes {ok:false,error}. */
export type ControlHandler = (req: ControlRequest) => unknown

export class SocketInUseError extends Error {
  constructor (readonly path: string) {
    super(`another process answers on the control socket ${path} (a second daemon for the same mountpoint?)`)
    this.name = 'SocketInUseError'
  }
}

export class ControlServer {
  readonly #connections = new Set<Socket>()
  readonly #onExit = (): void => { this.#removeSync() }
  #ino: number | undefined

  private constructor (readonly path: string, private readonly server: Server, private readonly handler: ControlHandler, private readonly log: Logger) {
    server.on('connection', s => { this.#serve(s) })
  }

  /** Creates the folder (0700) and the socket (0600); throws SocketInUseError when a live daemon holds the path. */
  static async listen (path: string, handler: ControlHandler, log: Logger): Promise<ControlServer> {
    await ensureControlDir(dirname(path))
    const server = createServer()
    const cs = new ControlServer(path, server, handler, log)
    // Shorter than any final name (a hash), so it fits sun_path whenever the final name does.
    const temp = join(dirname(path), `.${process.pid}.new`)
    await removeOrphanTemps(dirname(path))
    try {
      await bind(server, temp)
      await chmod(temp, 0o600)
      await refuseLive(path, log)
      await rename(temp, path)
      cs.#ino = (await lstat(path)).ino
    } catch (err) {
      server.close()
      await unlink(temp).catch(() => {})
      throw err
    }
    process.on('exit', cs.#onExit)
    return cs
  }

  /** Stops listening, drops open connections (a waiting `stem sync --wait` sees the connection end) and removes the socket. */
  async close (): Promise<void> {
    process.removeListener('exit', this.#onExit)
    const closed = new Promise<void>(resolve => this.server.close(() => resolve()))
    for (const s of this.#connections) s.destroy()
    await closed
    if (this.#isOurs()) await unlink(this.path).catch(() => {})
    this.#ino = undefined
  }

  #serve (socket: Socket): void {
    this.#connections.add(socket)
    socket.on('close', () => this.#connections.delete(socket))
    socket.on('error', () => { /* the client went away; nothing to tell it */ })
    const lines = new LineSplitter(line => { void this.#answer(socket, line) })
    socket.on('data', chunk => { if (!lines.push(chunk)) socket.destroy() })
  }

  async #answer (socket: Socket, line: string): Promise<void> {
    const req = parseRequest(line)
    let res: ControlResponse
    if (!isRequest(req)) {
      res = { id: req.id, ok: false, error: req.error }
    } else {
      try {
        res = { id: req.id, ok: true, result: await this.handler(req) }
      } catch (err) {
        this.log.debug({ cmd: req.cmd, err: describe(err) }, 'control request refused')
        res = { id: req.id, ok: false, error: describe(err) }
      }
    }
    if (socket.writable) socket.write(JSON.stringify(res) + '\n')
  }

  #isOurs (): boolean {
    try { return this.#ino !== undefined && lstatSync(this.path).ino === this.#ino } catch { return false }
  }

  #removeSync (): void {
    if (this.#isOurs()) { try { unlinkSync(this.path) } catch { /* gone already */ } }
  }
}

/** Temporary sockets of daemons killed between bind and rename (ours included: a recycled pid). */
async function removeOrphanTemps (dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [])) {
    const pid = /^\.(\d+)\.new$/.exec(name)?.[1]
    if (pid !== undefined && (Number(pid) === process.pid || !alive(Number(pid)))) await unlink(join(dir, name)).catch(() => {})
  }
}

function alive (pid: number): boolean {
  try { process.kill(pid, 0); return true } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM' }
}

function bind (server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (err: Error): void => { reject(err) }
    server.once('error', fail)
    server.listen(path, () => { server.removeListener('error', fail); resolve() })
  })
}

/** Throws SocketInUseError if a process answers on `path`; a stale socket there is left for the rename to replace. */
async function refuseLive (path: string, log: Logger): Promise<void> {
  const st = await lstat(path).catch(() => undefined)
  if (st === undefined) return
  if (!st.isSocket()) throw new Error(`${path} exists and is not a socket; remove it`)
  if (await answers(path)) throw new SocketInUseError(path)
  log.info({ socket: path }, 'replacing the stale control socket of a daemon that is gone')
}

/** Whether a process accepts connections on `path` (a live daemon, even a busy one). */
function answers (path: string): Promise<boolean> {
  return new Promise(resolve => {
    const s = connect(path)
    const done = (v: boolean): void => { clearTimeout(timer); s.destroy(); resolve(v) }
    const timer = setTimeout(() => done(true), 2000)
    s.once('connect', () => done(true))
    s.once('error', () => done(false))
  })
}
