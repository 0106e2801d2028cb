/**
 * The daemon's control surface: a ControlServer on this mount's socket
 * answering ping, status, sync (push) and refresh (pull). It is an extra:
 * when it cannot start (a live daemon already holds the socket, a folder
 * owned by someone else) the mount goes on without it and the log says why.
 */
import { describe } from '../errors.js'
import type { Logger } from '../logger.js'
import type { RefreshResult } from '../pull/file-cache.js'
import type { SyncControl } from './sync-outcome.js'
import { requestSync } from './sync-outcome.js'
import { PROTOCOL_VERSION, type ControlRequest, type PingResult } from './control-protocol.js'
import { ControlServer } from './control-server.js'
import { socketPath } from './socket-path.js'
import { buildStatusReport, type StatusSource } from './status-report.js'

export type ControlSource =
  | { readonly mode: 'push'; readonly syncer: SyncControl }
  | Extract<StatusSource, { mode: 'pull' }> & { readonly cache: { refresh(names: readonly string[]): RefreshResult } }

export interface ControlSurfaceOptions {
  /** Canonical, as mountinfo lists it: `stem status` finds the socket from it. */
  readonly mountpoint: string
  readonly configFile: string
  readonly source: ControlSource
  readonly log: Logger
  /** Default: socketPath(mountpoint). */
  readonly socket?: string
  /** When the mount went live (epoch ms); default: when start() is called. The Node API's handle reports the same. */
  readonly mountedAt?: number
}

export class ControlSurface {
  #server: Promise<ControlServer | undefined> | undefined
  #mountedAt = Date.now()

  constructor (private readonly o: ControlSurfaceOptions) {}

  /**
   * Call once the mount is live and before telling anyone it is, so that
   * `stem status` right after `stem` finds the socket. Never rejects: a
   * failure is logged and the mount goes on without a control socket.
   */
  async start (): Promise<void> {
    this.#mountedAt = this.o.mountedAt ?? Date.now()
    this.#server ??= this.#listen()
    await this.#server
  }

  /** Waits for start() to settle, then closes the socket and removes it. */
  async close (): Promise<void> {
    const server = await this.#server
    await server?.close()
  }

  /** The started server (for tests), or undefined when it could not start. */
  listening (): Promise<ControlServer | undefined> {
    return this.#server ?? Promise.resolve(undefined)
  }

  async #listen (): Promise<ControlServer | undefined> {
    const { log } = this.o
    try {
      const path = this.o.socket ?? socketPath(this.o.mountpoint)
      const server = await ControlServer.listen(path, req => this.#handle(req), log.child({ part: 'control' }))
      log.info({ socket: path }, 'control socket ready')
      return server
    } catch (err) {
      log.error({ err: describe(err) }, `no control socket, stem status and stem sync will not reach this daemon: ${describe(err)}`)
      return undefined
    }
  }

  async #handle (req: ControlRequest): Promise<unknown> {
    const { source } = this.o
    if (req.cmd === 'ping') return { pong: true, pid: process.pid, protocol: PROTOCOL_VERSION } satisfies PingResult
    if (req.cmd === 'status') {
      const info = { configFile: this.o.configFile, mountpoint: this.o.mountpoint, pid: process.pid, mountedAt: this.#mountedAt }
      return buildStatusReport(info, source)
    }
    if (req.cmd === 'refresh') {
      if (source.mode === 'push') throw new Error('a push mount has no cache to refresh: it shows its root folder as it is (stem refresh is for pull mounts, stem -r)')
      return source.cache.refresh(req.names ?? [])
    }
    if (source.mode === 'pull') throw new Error('a pull mount (stem -r) has nothing to sync: its files are fetched from their origins when read')
    return await requestSync(source.syncer, req.wait === true, err => {
      this.o.log.error({ err: describe(err) }, `sync round asked for by stem sync failed: ${describe(err)}`)
    })
  }
}
