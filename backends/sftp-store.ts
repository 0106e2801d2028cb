/**
 * A RemoteStore on an ssh server over SFTP: root's tree is rebuilt under
 * one remote folder, with folders (empty ones too), symlinks (made as
 * symlinks, their target as written) and permission bits. Hard links
 * become separate copies (SFTP has no link request). File times are whole
 * seconds on the wire; a file's version is its size and mtime.
 *
 * Connections come from the pool the SFTP origin uses (sftp-pool.ts), with
 * its host key checking and authentication; at most upload_concurrency are
 * open, one per file in flight.
 */
import { posix } from 'node:path'
import { BackendError, describe } from '../src/errors.js'
import type { Logger } from '../src/logger.js'
import { LocalChanged, type EntryType, type LocalFile, type RemoteEntry, type RemoteStore, type RemoteVersion, type StoreCaps } from './remote-store.js'
import { authPlan, type AuthPlan } from './sftp-auth.js'
import { openSftpConnection, type SftpConnection } from './sftp-connection.js'
import type { SftpDestination } from './sftp-target.js'
import { requestError } from './sftp-errors.js'
import { SftpPool } from './sftp-pool.js'
import { checkWritable, listTree, prepareDir, removeTree } from './sftp-tree-ops.js'
import { call, ignoringMissing, lstatEntry, setstat } from './sftp-requests.js'
import { resolveSftpSettings, serverLabel, type ResolvedSftpSettings } from './sftp-settings.js'
import { uploadViaTemp } from './sftp-upload.js'

export interface SftpStoreOptions {
  readonly destination: SftpDestination
  readonly concurrency: number
  readonly log: Logger
}

export class SftpStore implements RemoteStore {
  readonly name: string
  readonly caps: StoreCaps = { dirs: true, symlinks: true, modes: true }
  private readonly settings: ResolvedSftpSettings
  private readonly dir: string
  private readonly pool: SftpPool<SftpConnection>
  private auth: Promise<AuthPlan> | undefined

  constructor (private readonly o: SftpStoreOptions) {
    this.settings = resolveSftpSettings(o.destination.settings)
    this.dir = o.destination.dir
    this.name = `sftp://${serverLabel(this.settings)}${this.dir.startsWith('/') ? '' : '/~/'}${this.dir}`
    if (!this.settings.strictHostKeyChecking) {
      o.log.warn('strict_host_key_checking = no: the server is not authenticated; anyone on the path can impersonate it')
    }
    this.pool = new SftpPool(signal => this.connect(signal), {
      max: o.concurrency,
      idleMs: 60_000,
      onRetry: err => { o.log.info({ err: describe(err) }, 'sftp: connection lost during a request; retrying on a new one') }
    })
  }

  list (signal: AbortSignal): Promise<Map<string, RemoteEntry>> {
    return this.use(`listing of ${this.dir}`, signal, c => listTree(c, this.dir, signal))
  }

  stat (path: string, signal: AbortSignal): Promise<RemoteEntry | undefined> {
    return this.use(`lstat ${this.abs(path)}`, signal, c => lstatEntry(c, this.abs(path), signal))
  }

  prepare (rootMode: number, signal: AbortSignal): Promise<void> {
    return this.use(`preparing ${this.dir}`, signal, c => prepareDir(c, this.dir, rootMode, signal, m => { this.o.log.warn(m) }))
  }

  upload (path: string, file: LocalFile, signal: AbortSignal): Promise<RemoteVersion> {
    return this.use(`upload of ${this.abs(path)}`, signal, c => uploadViaTemp(c, this.abs(path), file, signal))
  }

  /** Same size and the mtime stalk sets on upload: rsync's quick check (SFTP offers no hash). */
  async sameContent (file: LocalFile, version: RemoteVersion): Promise<boolean> {
    return 'mtimeMs' in version && version.size === file.size && Math.floor(version.mtimeMs / 1000) === Math.floor(file.mtimeMs / 1000)
  }

  remove (path: string, type: EntryType, signal: AbortSignal): Promise<void> {
    const abs = this.abs(path)
    return this.use(`removal of ${abs}`, signal, async c => {
      if (type === 'dir') await removeTree(c, abs, signal)
      else await ignoringMissing(call<undefined>(c, signal, done => { c.sftp.unlink(abs, done) }))
    })
  }

  moveAside (path: string, to: string, _type: EntryType, signal: AbortSignal): Promise<void> {
    return this.use(`rename of ${this.abs(path)}`, signal, c =>
      call<undefined>(c, signal, done => { c.sftp.rename(this.abs(path), this.abs(to), done) }))
  }

  mkdir (path: string, mode: number, signal: AbortSignal): Promise<void> {
    const abs = this.abs(path)
    return this.use(`mkdir ${abs}`, signal, async c => {
      await call<undefined>(c, signal, done => { c.sftp.mkdir(abs, { mode }, done) })
      // The server's umask applied to mkdir's mode; root's bits are wanted exactly.
      await setstat(c, abs, { mode }, signal)
    })
  }

  chmod (path: string, mode: number, signal: AbortSignal): Promise<void> {
    return this.use(`chmod ${this.abs(path)}`, signal, c => setstat(c, this.abs(path), { mode }, signal))
  }

  symlink (path: string, target: string, signal: AbortSignal): Promise<void> {
    return this.use(`symlink ${this.abs(path)}`, signal, c =>
      call<undefined>(c, signal, done => { c.sftp.symlink(target, this.abs(path), done) }))
  }

  check (signal: AbortSignal): Promise<void> {
    return this.use(`write check of ${this.dir}`, signal, c => checkWritable(c, this.dir, signal))
  }

  async close (): Promise<void> {
    await this.pool.close()
  }

  private abs (path: string): string {
    return posix.join(this.dir, path)
  }

  /** One job on a pooled connection; SFTP errors become BackendErrors naming the job and the server. */
  private async use<T> (what: string, signal: AbortSignal, fn: (c: SftpConnection) => Promise<T>): Promise<T> {
    try {
      return await this.pool.use(fn, signal)
    } catch (err) {
      if (signal.aborted || err instanceof BackendError || err instanceof LocalChanged || isLocalError(err)) throw err
      throw requestError(err, `${what} on ${serverLabel(this.settings)}`)
    }
  }

  private async connect (signal: AbortSignal | undefined): Promise<SftpConnection> {
    // Keys are read once; a failed read is retried on the next connect (the file may be fixed meanwhile).
    this.auth ??= authPlan(this.settings, this.o.log).catch((err: unknown) => { this.auth = undefined; throw err })
    return await openSftpConnection(this.settings, await this.auth, this.o.log, signal)
  }
}

/** Errors of our own disk (reading root): they pass through with their errno. */
function isLocalError (err: unknown): boolean {
  const e = err as { code?: unknown; syscall?: unknown } | null
  return typeof e === 'object' && e !== null && typeof e.code === 'string' && typeof e.syscall === 'string'
}
