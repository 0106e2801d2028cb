/**
 * A pull origin served by rsync: files on a host reached over ssh, or in a
 * module of an rsync daemon. Every call is one rsync process (argv in
 * rsync-origin-args.ts), so there is nothing to pool or reconnect; an abort
 * kills the process group, and rsync removes its temporary file.
 *
 * rsync has no conditional transfer of a single file to a new name, so a
 * conditional fetch first lists the file and compares size and mtime, to the
 * second, which is all a listing shows. A rewrite that keeps the size within
 * the same second is therefore not seen until the mtime moves. An etag
 * validator (from another backend) means nothing here: the file is fetched.
 * rsync has no ranged read either: there is no readRange.
 */
import { lstat, rm } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Logger } from '../src/logger.js'
import { BackendError } from '../src/errors.js'
import { runProcess, type ProcessRun } from '../src/process/run-process.js'
import type { Backend, CallOptions, FetchResult, ListEntry, RemoteMeta, Validator } from './backend.js'
import { firstListingEntry, type ListingEntry } from './rsync-listing.js'
import { folderEntries, FOLDER_LISTING_LIMIT, isPartialListing } from './rsync-origin-list.js'
import type { RsyncOriginSettings } from './rsync-origin.js'
import { checkInvocation, fetchInvocation, listInvocation, originName, remoteArg } from './rsync-origin-args.js'
import { originFailure } from './rsync-origin-failure.js'
import type { Invocation } from './rsync-args.js'

export interface RsyncOriginBackendOptions {
  readonly log: Logger
  /** The environment rsync and ssh run with (default: stalk's own; RSYNC_RSH is honoured without ssh settings). */
  readonly env?: NodeJS.ProcessEnv
  /** Time between SIGTERM and SIGKILL when a run is aborted (default 5 s). */
  readonly killGraceMs?: number
}

/** A listing of one file is one line; this leaves room for a daemon's chatter before it. */
const LISTING_LIMIT = 64 * 1024

export class RsyncOriginBackend implements Backend {
  readonly name: string
  private readonly log: Logger
  private readonly env: NodeJS.ProcessEnv
  private readonly secrets: readonly string[]

  constructor (private readonly settings: RsyncOriginSettings, private readonly o: RsyncOriginBackendOptions) {
    this.name = originName(settings)
    this.log = o.log.child({ origin: this.name })
    this.env = o.env ?? process.env
    this.secrets = [settings.password, this.env['RSYNC_PASSWORD']].filter((s): s is string => s !== undefined && s !== '')
  }

  async stat (path: string, o: CallOptions = {}): Promise<RemoteMeta | undefined> {
    const entry = await this.entryOf(path, o.signal)
    return entry === undefined ? undefined : metaOf(path, entry)
  }

  async fetch (path: string, destFile: string, o: CallOptions & { ifNoneMatch?: Validator } = {}): Promise<FetchResult> {
    const v = o.ifNoneMatch
    if (v !== undefined && 'size' in v) {
      const now = await this.stat(path, o)
      if (now === undefined) throw new BackendError('not-found', `fetch of ${remoteArg(this.settings, path)}: not found on the origin`)
      if (now.size === v.size && now.mtimeMs === wholeSecond(v.mtimeMs)) return { status: 'not-modified' }
    }
    const dest = resolve(destFile)
    // A file already there would be rsync's basis (or skipped as up to date); and only
    // without one does "no file afterwards" prove that the origin path was not a file.
    await rm(dest, { force: true })
    const what = `fetch of ${remoteArg(this.settings, path)}`
    const run = await this.run(fetchInvocation(this.settings, path, dest, this.env), what, o.signal)
    if (run.code !== 0) throw originFailure(what, run, this.secrets)
    const st = await lstat(dest).catch(() => undefined)
    if (st?.isFile() !== true) throw new BackendError('invalid', `${what}: not a regular file on the origin (a directory?)`)
    return { status: 'fetched', meta: { size: st.size, mtimeMs: wholeSecond(st.mtimeMs) } }
  }

  /** Folder `dir` (ending in '/', or '' for the module or the login folder), one rsync run (rsync-origin-list.ts). */
  async * list (dir: string, o: CallOptions = {}): AsyncGenerator<ListEntry> {
    // "host:" would list the login folder itself; "host:./" lists what is in it.
    const src = dir === '' && this.settings.remote.kind === 'ssh' ? './' : dir
    const what = `list of ${remoteArg(this.settings, src)}`
    const run = await this.run(listInvocation(this.settings, src, this.env), what, o.signal, FOLDER_LISTING_LIMIT)
    if (run.code !== 0 && !isPartialListing(run)) throw originFailure(what, run, this.secrets)
    yield * folderEntries(run.stdout, dir, what)
  }

  async check (o: CallOptions = {}): Promise<void> {
    const what = `check of ${this.name}`
    const run = await this.run(checkInvocation(this.settings, this.env), what, o.signal)
    if (run.code !== 0) throw originFailure(what, run, this.secrets)
  }

  async close (): Promise<void> {
    // Nothing is held between calls: each is its own rsync process.
  }

  /** The listing entry of `path`, or undefined when the origin has no such file. */
  private async entryOf (path: string, signal: AbortSignal | undefined): Promise<ListingEntry | undefined> {
    const what = `stat of ${remoteArg(this.settings, path)}`
    const run = await this.run(listInvocation(this.settings, path, this.env), what, signal, LISTING_LIMIT)
    if (run.code !== 0) {
      const err = originFailure(what, run, this.secrets)
      if (err.kind === 'not-found') return undefined
      throw err
    }
    const entry = firstListingEntry(run.stdout)
    if (entry === undefined) throw new BackendError('unavailable', `${what}: rsync printed no listing line: ${(run.stdout).slice(0, 200)}`)
    return entry
  }

  private async run (inv: Invocation, what: string, signal: AbortSignal | undefined, stdoutLimit?: number): Promise<ProcessRun> {
    this.log.debug({ argv: inv.argv }, `${what}: running rsync`)
    let run: ProcessRun
    try {
      run = await runProcess(inv.argv, {
        env: inv.env, signal, killGraceMs: this.o.killGraceMs, stdout: stdoutLimit === undefined ? 'discard' : 'head', stdoutLimit
      })
    } catch (err) {
      const missing = (err as { code?: unknown }).code === 'ENOENT'
      throw new BackendError('unavailable', `${what}: rsync ${missing ? 'is not installed (Debian package "rsync")' : 'could not be started'}`, { cause: err })
    }
    if (run.aborted) signal?.throwIfAborted()
    return run
  }
}

function metaOf (path: string, e: ListingEntry): RemoteMeta {
  if (e.type === 'dir') throw new BackendError('invalid', `${path} is a directory on the origin, not a file`)
  if (e.type !== 'file') throw new BackendError('invalid', `${path} is not a regular file on the origin (${e.mode})`)
  return { size: e.size, mtimeMs: e.mtimeMs }
}

/** Listings show whole seconds: every mtime this backend reports or compares is cut to one. */
function wholeSecond (ms: number): number {
  return Math.floor(ms / 1000) * 1000
}
