/**
 * One request to the daemon of a mountpoint, with a clear reason when no
 * daemon answers: the mount is dead (the daemon crashed or was killed),
 * nothing or something else is mounted there, or the daemon does not listen
 * on the socket we look at. Each is a StemError ending stem with exit 1.
 */
import { statfs } from 'node:fs/promises'
import { StemError } from '../exit-codes.js'
import { findMount } from '../mount/mountinfo.js'
import { controlRequest, DaemonUnreachableError, type RequestOptions } from '../control/control-client.js'
import type { ControlCommand } from '../control/control-protocol.js'
import { socketPaths } from '../control/socket-path.js'
import { STALK_FSTYPE } from './stalk-mounts.js'

/** status and a sync without wait answer at once; a daemon that takes longer is stuck. */
export const ANSWER_TIMEOUT_MS = 10_000

export async function askDaemon (mountpoint: string, cmd: ControlCommand, o: RequestOptions = {}): Promise<unknown> {
  let sockets: string[]
  try {
    sockets = socketPaths(mountpoint)
  } catch (err) {
    throw new StemError('failure', (err as Error).message, { cause: err })
  }
  let first: DaemonUnreachableError | undefined
  for (const socket of sockets) {
    try {
      return await controlRequest(socket, cmd, o)
    } catch (err) {
      if (!(err instanceof DaemonUnreachableError)) throw err
      first ??= err
      // Only a missing socket sends us on to the next folder: anything else is the daemon's answer.
      if (err.reason !== 'no-socket') { first = err; break }
    }
  }
  const err = first ?? new DaemonUnreachableError('no-socket', sockets[0] ?? '?', 'no socket')
  throw new StemError('failure', await whyNoAnswer(mountpoint, err), { cause: err })
}

async function whyNoAnswer (mountpoint: string, err: DaemonUnreachableError): Promise<string> {
  const m = findMount(mountpoint)
  if (m === undefined) return `not running: nothing is mounted at ${mountpoint}`
  if (m.fstype !== STALK_FSTYPE) return `${mountpoint} is not a stalk mount (${m.fstype} from ${m.source})`
  if (err.reason === 'timeout') return `the daemon of ${mountpoint} did not answer within ${ANSWER_TIMEOUT_MS / 1000} s on ${err.path} (it is stuck; its log may say why)`
  if (err.reason === 'hung-up') return `the daemon of ${mountpoint} closed the connection before answering (it is stopping?)`
  if (await isDead(mountpoint)) return `not running: the mount at ${mountpoint} is dead; remount or fusermount -uz ${mountpoint}`
  return `the stalk daemon of ${mountpoint} does not answer on ${err.path}: ${err.message.replace(/^.*?: /, '')} ` +
    '(mounted by another user, or by a stem without a control socket)'
}

/**
 * A FUSE mount whose daemon is gone answers ENOTCONN (ECONNABORTED when it
 * died with requests in flight). statfs, because stat may be answered from
 * the kernel's cache; bounded, because a live daemon that is stuck would
 * never answer it.
 */
async function isDead (mountpoint: string): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const gaveUp = new Promise<boolean>(resolve => { timer = setTimeout(() => resolve(false), 2000) })
  const probe = statfs(mountpoint).then(() => false, (e: NodeJS.ErrnoException) => e.code === 'ENOTCONN' || e.code === 'ECONNABORTED')
  try {
    return await Promise.race([probe, gaveUp])
  } finally {
    clearTimeout(timer)
  }
}
