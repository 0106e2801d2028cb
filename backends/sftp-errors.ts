/**
 * ssh2's errors → BackendError kinds, with messages that say which server
 * and what happened. Connection errors carry ssh2's `level` (client-socket,
 * client-timeout, client-authentication, handshake, ...) and the socket's
 * errno; SFTP request errors carry the SFTP status code as a number.
 *
 * Host key refusals are `forbidden`, like refused credentials: both are a
 * trust decision that no retry will change until someone edits a file, and
 * EACCES says that better than EIO.
 */
import { BackendError, describe } from '../src/errors.js'

// SFTP status codes (draft-ietf-secsh-filexfer-02, section 7).
const NO_SUCH_FILE = 2
const PERMISSION_DENIED = 3

export interface ConnectContext {
  /** "root@127.0.0.1:2222" */
  readonly label: string
  /** What authentication offered, for the message. */
  readonly offered: string
  /** The host key refusal, when that is why the handshake ended. */
  readonly hostKeyRefusal: string | undefined
  readonly readyTimeoutMs: number
}

const UNREACHABLE: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed (temporary)'
}

/** Why connecting (TCP, handshake, host key, login, sftp subsystem) failed. */
export function connectError (err: unknown, c: ConnectContext): BackendError {
  if (err instanceof BackendError) return err
  if (c.hostKeyRefusal !== undefined) return new BackendError('forbidden', c.hostKeyRefusal, { cause: err })
  const { level, code } = fields(err)
  if (level === 'client-authentication') {
    return new BackendError('forbidden', `authentication failed for ${c.label} (offered: ${c.offered})`, { cause: err })
  }
  if (level === 'client-timeout' || code === 'ETIMEDOUT') {
    return new BackendError('timeout', `${c.label}: no ssh session within ${c.readyTimeoutMs} ms`, { cause: err })
  }
  const reason = typeof code === 'string' ? UNREACHABLE[code] : undefined
  if (reason !== undefined) return new BackendError('unavailable', `${c.label}: ${reason} (${code})`, { cause: err })
  return new BackendError('unavailable', `cannot connect to ${c.label}: ${describe(err)}`, { cause: err })
}

/** Why an SFTP request failed. `what` names it: "stat /srv/f on root@h:22". */
export function requestError (err: unknown, what: string): BackendError {
  if (err instanceof BackendError) return err
  const { code } = fields(err)
  if (code === NO_SUCH_FILE) return new BackendError('not-found', `${what}: no such file`, { cause: err })
  if (code === PERMISSION_DENIED) return new BackendError('forbidden', `${what}: permission denied`, { cause: err })
  if (typeof code === 'number') return new BackendError('unavailable', `${what}: ${describe(err)} (SFTP status ${code})`, { cause: err })
  return new BackendError('unavailable', `${what}: connection lost (${describe(err)})`, { cause: err })
}

export function isNoSuchFile (err: unknown): boolean {
  return fields(err).code === NO_SUCH_FILE
}

/** What an aborted call rejects with: the signal's reason, as fetch() does. */
export function abortReason (signal: AbortSignal): Error {
  const r: unknown = signal.reason
  if (r instanceof Error) return r
  const e = new Error(r === undefined ? 'aborted' : `aborted: ${String(r)}`)
  e.name = 'AbortError'
  return e
}

function fields (err: unknown): { level: unknown; code: unknown } {
  if (typeof err !== 'object' || err === null) return { level: undefined, code: undefined }
  const e = err as { level?: unknown; code?: unknown }
  return { level: e.level, code: e.code }
}
