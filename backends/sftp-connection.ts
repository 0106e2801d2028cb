/**
 * One ssh connection with its SFTP channel, for SftpPool. Opening it checks
 * the host key against known_hosts, logs in with the planned credentials
 * and starts the sftp subsystem; any failure on the way becomes a
 * BackendError that says which step failed. Once open, it watches its
 * socket: `alive` turns false when the server goes away (sshd restarted,
 * keepalives unanswered), so the pool stops handing it out.
 */
import ssh2, { type Client, type SFTPWrapper } from 'ssh2'
import { BackendError, describe } from '../src/errors.js'
import type { Logger } from '../src/logger.js'
import type { AuthPlan } from './sftp-auth.js'
import { abortReason, connectError } from './sftp-errors.js'
import { hostKeyCheck, type HostKeyCheck } from './sftp-host-key.js'
import { serverLabel, type ResolvedSftpSettings } from './sftp-settings.js'

// Dead peers that never send a FIN (a host that lost power) are noticed
// after about a minute of unanswered keepalives, as with ssh's ServerAlive*.
const KEEPALIVE_MS = 15_000
const KEEPALIVE_COUNT_MAX = 4
const CLOSE_GRACE_MS = 2000

let nextId = 1

export class SftpConnection {
  readonly id = nextId++
  readonly sftp: SFTPWrapper
  private readonly client: Client
  private closed: Promise<void>
  #alive = true

  constructor (client: Client, sftp: SFTPWrapper, log: Logger) {
    this.client = client
    this.sftp = sftp
    this.closed = new Promise(resolve => { client.once('close', resolve) })
    client.on('error', (err: Error) => {
      this.#alive = false
      log.debug({ connection: this.id, err: describe(err) }, 'sftp: connection error')
    })
    client.once('close', () => { this.#alive = false })
    client.once('end', () => { this.#alive = false })
  }

  get alive (): boolean { return this.#alive }

  /** Marks it dead at once (an aborted transfer leaves requests outstanding), closing it in the background. */
  kill (): void {
    this.#alive = false
    this.client.destroy()
  }

  /** Ends the session politely, then the socket; resolves once the socket is closed. */
  async close (): Promise<void> {
    this.#alive = false
    this.client.end()
    const timer = setTimeout(() => { this.client.destroy() }, CLOSE_GRACE_MS)
    await this.closed
    clearTimeout(timer)
  }
}

export async function openSftpConnection (s: ResolvedSftpSettings, auth: AuthPlan, log: Logger,
  signal?: AbortSignal): Promise<SftpConnection> {
  signal?.throwIfAborted()
  let hostKey: HostKeyCheck
  try {
    hostKey = await hostKeyCheck(s)
  } catch (err) {
    throw new BackendError('invalid', `cannot read known_hosts ${s.knownHostsFile}: ${describe(err)}`, { cause: err })
  }
  const client = new ssh2.Client()
  const ready = sftpWhenReady(client, log, signal, err =>
    connectError(err, { label: serverLabel(s), offered: auth.offered, hostKeyRefusal: hostKey.refusal(), readyTimeoutMs: s.readyTimeoutMs }))
  try {
    client.connect({
      host: s.host, port: s.port, username: s.user, readyTimeout: s.readyTimeoutMs,
      authHandler: [...auth.methods], hostVerifier: hostKey.verify, algorithms: { serverHostKey: hostKey.algorithms },
      keepaliveInterval: KEEPALIVE_MS, keepaliveCountMax: KEEPALIVE_COUNT_MAX
    })
  } catch (err) {
    ready.catch(() => {}) // superseded by this error
    client.destroy()
    throw new BackendError('invalid', `cannot connect to ${serverLabel(s)}: ${describe(err)}`, { cause: err })
  }
  return new SftpConnection(client, await ready, log)
}

/** The sftp channel once `client` is connected and logged in; the first failure (or the abort) rejects, mapped by `mapError`. */
function sftpWhenReady (client: Client, log: Logger, signal: AbortSignal | undefined,
  mapError: (err: unknown) => BackendError): Promise<SFTPWrapper> {
  return new Promise<SFTPWrapper>((resolve, reject) => {
    let settled = false
    const once = (fn: () => void): void => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', onAbort)
      fn()
    }
    const fail = (err: unknown): void => { once(() => { client.destroy(); reject(mapError(err)) }) }
    const onAbort = (): void => { once(() => { client.destroy(); reject(abortReason(signal as AbortSignal)) }) }
    signal?.addEventListener('abort', onAbort, { once: true })
    if (signal?.aborted === true) onAbort()
    client.on('error', (err: Error & { level?: string }) => {
      // An unusable agent is not fatal: ssh2 goes on with the next method.
      if (err.level === 'agent') log.debug({ err: err.message }, 'sftp: ssh-agent failed')
      else fail(err)
    })
    client.once('close', () => { fail(new Error('the server closed the connection during setup')) })
    client.once('ready', () => {
      client.sftp((err, sftp) => {
        if (err !== undefined) fail(err)
        else once(() => { resolve(sftp) })
      })
    })
  })
}
