/**
 * A pull origin on an ssh server: files read over SFTP from one
 * user@host:port, through a small pool of connections shared by every file
 * of that server (backends/sftp-pool.ts). Host keys are checked against
 * known_hosts (backends/sftp-host-key.ts); revalidation compares size and
 * mtime, since SFTP has no etag.
 *
 *   const b = new SftpBackend({ host: 'files.example', user: 'mirror', identityFile: '/etc/stalk/id_ed25519' })
 *   await b.fetch('/srv/motd', '/cache/.tmp/motd', { ifNoneMatch: { size, mtimeMs } })
 */
import type { Stats } from 'ssh2'
import { BackendError, describe } from '../src/errors.js'
import { silentLogger, type Logger } from '../src/logger.js'
import type { Backend, CallOptions, FetchResult, ListEntry, RemoteMeta, Validator } from './backend.js'
import { authPlan, type AuthPlan } from './sftp-auth.js'
import { openSftpConnection, type SftpConnection } from './sftp-connection.js'
import { requestError } from './sftp-errors.js'
import { listSftpFolder } from './sftp-list.js'
import { SftpPool } from './sftp-pool.js'
import { resolveSftpSettings, serverLabel, type ResolvedSftpSettings, type SftpSettings } from './sftp-settings.js'
import { download, readRangeOf, remoteStat } from './sftp-transfer.js'

export interface SftpBackendOptions extends SftpSettings {
  readonly log?: Logger
  /** Connections kept to the server at most (default 3). */
  readonly maxConnections?: number
  /** An idle connection is closed after this (default 60 s). */
  readonly idleMs?: number
}

export class SftpBackend implements Backend {
  readonly name: string
  private readonly settings: ResolvedSftpSettings
  private readonly log: Logger
  private readonly pool: SftpPool<SftpConnection>
  private auth: Promise<AuthPlan> | undefined

  constructor (o: SftpBackendOptions) {
    this.settings = resolveSftpSettings(o)
    this.name = `sftp://${serverLabel(this.settings)}`
    this.log = (o.log ?? silentLogger).child({ backend: this.name })
    if (!this.settings.strictHostKeyChecking) {
      this.log.warn('strict_host_key_checking = no: the server is not authenticated; anyone on the path can impersonate it')
    }
    this.pool = new SftpPool(signal => this.connect(signal), {
      max: o.maxConnections ?? 3,
      idleMs: o.idleMs ?? 60_000,
      onRetry: err => { this.log.info({ err: describe(err) }, 'sftp: connection lost during a request; retrying on a new one') }
    })
  }

  /** Connections opened since construction (a reused connection counts once). */
  get connectionsOpened (): number { return this.pool.opened }

  async stat (path: string, o: CallOptions = {}): Promise<RemoteMeta | undefined> {
    const st = await this.request(`stat ${path}`, c => remoteStat(c, path, o.signal), o.signal)
    return st === undefined ? undefined : metaOf(st)
  }

  async fetch (path: string, destFile: string, o: CallOptions & { ifNoneMatch?: Validator } = {}): Promise<FetchResult> {
    return await this.request(`fetch ${path}`, async c => {
      const st = await remoteStat(c, path, o.signal)
      if (st === undefined) throw new BackendError('not-found', `${this.where(path)}: no such file`)
      if (!st.isFile()) throw new BackendError('invalid', `${this.where(path)}: not a regular file`)
      const meta = metaOf(st)
      if (unchanged(o.ifNoneMatch, meta)) return { status: 'not-modified' }
      const started = performance.now()
      await download(c, path, destFile, meta.size, o.signal)
      this.log.debug({ path, bytes: meta.size, ms: Math.round(performance.now() - started), connection: c.id }, 'sftp: fetched')
      return { status: 'fetched', meta }
    }, o.signal)
  }

  /** Folder `dir` ('' for the login folder), read whole on one pooled connection (sftp-list.ts). */
  async * list (dir: string, o: CallOptions = {}): AsyncGenerator<ListEntry> {
    yield * await this.request(`list ${dir === '' ? '~' : dir}`, c => listSftpFolder(c, dir, o.signal), o.signal)
  }

  async readRange (path: string, offset: number, length: number, o: CallOptions = {}): Promise<Buffer> {
    return await this.request(`read ${path}`, c => readRangeOf(c.sftp, path, offset, length, o.signal), o.signal)
  }

  /** Connects (host key, login, sftp subsystem) and stats the login directory. */
  async check (o: CallOptions = {}): Promise<void> {
    const home = await this.request('stat of the login directory', c => remoteStat(c, '.', o.signal), o.signal)
    if (home === undefined) throw new BackendError('unavailable', `${this.name}: the login directory does not exist`)
  }

  async close (): Promise<void> {
    await this.pool.close()
  }

  /** The file as a URL, for messages: sftp://u@h:22/srv/f, or sftp://u@h:22/~/f when relative to the login directory. */
  private where (path: string): string {
    return `${this.name}${path.startsWith('/') ? '' : '/~/'}${path}`
  }

  /** Runs one request on a pooled connection; its errors become BackendErrors naming the request. */
  private async request<T> (what: string, fn: (c: SftpConnection) => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    try {
      return await this.pool.use(fn, signal)
    } catch (err) {
      if (signal?.aborted === true || isLocalError(err)) throw err
      throw requestError(err, `${what} on ${serverLabel(this.settings)}`)
    }
  }

  private async connect (signal: AbortSignal | undefined): Promise<SftpConnection> {
    // Keys are read once; a failed read is retried on the next connect (the file may be fixed meanwhile).
    this.auth ??= authPlan(this.settings, this.log).catch((err: unknown) => { this.auth = undefined; throw err })
    const conn = await openSftpConnection(this.settings, await this.auth, this.log, signal)
    this.log.debug({ connection: conn.id, open: this.pool.size + 1 }, 'sftp: connected')
    return conn
  }
}

function metaOf (st: Stats): RemoteMeta {
  return { size: st.size, mtimeMs: st.mtime * 1000 }
}

function unchanged (v: Validator | undefined, meta: RemoteMeta): boolean {
  return v !== undefined && 'size' in v && v.size === meta.size && v.mtimeMs === meta.mtimeMs
}

/** Errors of our own disk (the destination file): they pass through with their errno. */
function isLocalError (err: unknown): boolean {
  const e = err as { code?: unknown; syscall?: unknown }
  return typeof e === 'object' && e !== null && typeof e.code === 'string' && typeof e.syscall === 'string'
}
