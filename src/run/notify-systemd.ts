/**
 * Readiness for systemd's Type=notify (etc/stalk@.service): when systemd
 * started us with NOTIFY_SOCKET set, it waits for READY=1 before it calls
 * the unit started, and STOPPING=1 tells it the final sync round is running.
 *
 * Node cannot send unix datagrams, so the messages go through systemd's own
 * `systemd-notify` (argv only). It runs as a child of ours, which is why the
 * unit needs NotifyAccess=all; --pid names us as the main process, and
 * systemd-notify waits until systemd has read the message (sd_notify_barrier),
 * so the message is never lost with a child that exited too early.
 */
import { execFile } from 'node:child_process'
import type { Logger } from '../logger.js'

export type NotifyState = 'ready' | 'stopping'

export interface NotifyOptions {
  /** Warnings go here (systemd-notify missing or failing). */
  readonly log?: Logger
  /** A one-line status for `systemctl status`. */
  readonly status?: string
  /** The socket; default NOTIFY_SOCKET as systemd set it. */
  readonly socket?: string
  /** The program; default systemd-notify from PATH (tests point it elsewhere). */
  readonly command?: string
}

/** NOTIFY_SOCKET, kept here once read: it is taken out of the environment, so rsync, ssh and plugins never inherit it. */
let socketOfSystemd: string | undefined

function notifySocket (): string | undefined {
  const fromEnv = process.env['NOTIFY_SOCKET']
  if (fromEnv !== undefined && fromEnv !== '') {
    socketOfSystemd = fromEnv
    delete process.env['NOTIFY_SOCKET']
  }
  return socketOfSystemd
}

/** The systemd-notify arguments for `state`. */
export function notifyArgs (state: NotifyState, pid: number, status?: string): string[] {
  const args = state === 'ready' ? ['--ready', `--pid=${pid}`] : ['STOPPING=1']
  // The notify protocol is one assignment a line: a newline in a path must not start another.
  if (status !== undefined) args.push(`--status=${status.replace(/\s/g, ' ')}`)
  return args
}

/**
 * Tells systemd `state`; does nothing when systemd is not waiting (no
 * NOTIFY_SOCKET). Never throws: a failed notification is logged, and systemd
 * then reports the unit's start timeout itself.
 */
export function notifySystemd (state: NotifyState, o: NotifyOptions = {}): Promise<void> {
  const socket = o.socket ?? notifySocket()
  if (socket === undefined) return Promise.resolve()
  const command = o.command ?? 'systemd-notify'
  const args = notifyArgs(state, process.pid, o.status)
  return new Promise(resolve => {
    execFile(command, args, { env: { ...process.env, NOTIFY_SOCKET: socket }, timeout: 15_000 }, (err, _out, stderr) => {
      if (err) {
        const why = (err as NodeJS.ErrnoException).code === 'ENOENT'
          ? `${command} is not installed (it comes with systemd)`
          : stderr.trim() || err.message
        o.log?.warn({ socket, state }, `cannot tell systemd the mount is ${state}: ${why}`)
      }
      resolve()
    })
  })
}
