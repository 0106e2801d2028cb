/**
 * A push target on an object or file store (S3, SFTP): one engine over the
 * RemoteStore interface. Each mirror walks root (lstat only), compares it
 * with what this target delivered before (target-state.ts) and sends only
 * the difference; with 'all', or while the state is fresh (first run, lost
 * or foreign state file), it also lists the store and repairs any drift:
 * missing or changed entries are delivered again, extra ones removed.
 *
 * The `changed` set from the syncer does not limit the walk: a set that
 * misses a path (a change made to root behind the mount) must not leave the
 * store different from root, and the walk costs no network. It makes a new
 * ctime count as a change for the paths it names (mirror-plan.ts).
 *
 * Failures reject with a TargetError naming the destination and the path;
 * an abort rejects with a TargetError that says so, after every request in
 * flight was cancelled.
 */
import { stat } from 'node:fs/promises'
import { BackendError, describe } from '../src/errors.js'
import type { Logger } from '../src/logger.js'
import { TargetError, type CallOptions, type Target } from './backend.js'
import type { OnConflict } from './conflict-policy.js'
import { walkLocal } from './local-tree.js'
import { planMirror } from './mirror-plan.js'
import { executePlan } from './remote-mirror.js'
import type { RemoteStore } from './remote-store.js'
import { TargetState } from './target-state.js'

/** upload_concurrency when the config does not say. */
export const DEFAULT_UPLOAD_CONCURRENCY = 4

export interface RemoteTargetOptions {
  readonly label: string
  readonly store: RemoteStore
  /** Absent: the state lives in memory only. */
  readonly stateFile?: string
  readonly onConflict: OnConflict
  readonly concurrency: number
  readonly log: Logger
  readonly now?: () => Date
}

export class RemoteTarget implements Target {
  readonly label: string
  readonly destination: string
  private state: Promise<TargetState> | undefined
  private readonly warned = new Set<string>()

  constructor (private readonly o: RemoteTargetOptions) {
    this.label = o.label
    this.destination = o.store.name
  }

  async mirror (root: string, changed: ReadonlySet<string> | 'all', o: { signal: AbortSignal }): Promise<void> {
    const started = Date.now()
    try {
      o.signal.throwIfAborted()
      const st = await stat(root).catch(() => undefined)
      if (st?.isDirectory() !== true) throw new TargetError(`mirror to ${this.destination} failed: root ${root} is not a directory`)
      const state = await (this.state ??= this.loadState())
      const full = changed === 'all' || state.fresh
      try {
        await this.run(root, state, full ? undefined : changed, o.signal)
        if (full) state.fresh = false
      } catch (err) {
        // Something stalk believed to be there is not (a folder removed in the store): only a
        // full comparison repairs that, so the retry is one, or it would fail the same way forever.
        if (err instanceof BackendError && err.kind === 'not-found') state.fresh = true
        throw err
      } finally {
        await this.save(state)
      }
      this.o.log.debug({ ms: Date.now() - started, full }, `mirror to ${this.destination}: done`)
    } catch (err) {
      throw this.failure('mirror', err, o.signal)
    }
  }

  async check (o: CallOptions = {}): Promise<void> {
    try {
      await this.o.store.check(o.signal ?? new AbortController().signal)
    } catch (err) {
      throw this.failure('check', err, o.signal)
    }
  }

  async close (): Promise<void> {
    await this.o.store.close()
  }

  /** One comparison and its changes; `changed` undefined means a full comparison with a store listing. */
  private async run (root: string, state: TargetState, changed: ReadonlySet<string> | undefined, signal: AbortSignal): Promise<void> {
    const { store } = this.o
    const local = await walkLocal(root, { symlinks: store.caps.symlinks })
    this.warnSkipped(local.skipped)
    const remote = changed === undefined ? await store.list(signal) : undefined
    await store.prepare(local.rootMode, signal)
    const plan = planMirror({ local: local.entries, delivered: state.entries, remote, named: namedBy(changed), caps: store.caps })
    const conflicts: string[] = []
    const counts = await executePlan(plan, {
      store, state, root, onConflict: this.o.onConflict, concurrency: this.o.concurrency,
      log: this.o.log, now: this.o.now ?? (() => new Date()), conflicts
    }, signal)
    this.o.log.info({ ...counts, full: changed === undefined }, `mirror to ${this.destination}`)
    if (conflicts.length > 0) {
      const list = conflicts.sort().slice(0, 20).join(', ') + (conflicts.length > 20 ? `, and ${conflicts.length - 20} more` : '')
      throw new TargetError(`mirror to ${this.destination}: ${conflicts.length} path(s) changed in the store since stalk ` +
        `delivered them, left alone (on_conflict = stop): ${list}. Remove or rename them there, or copy them into root, ` +
        'or set on_conflict = keep or overwrite')
    }
  }

  /**
   * An unsaved state costs no wrong result: later runs find files already in
   * the store and adopt them (mirror-items.ts), and forget what is gone. So warn only.
   */
  private async save (state: TargetState): Promise<void> {
    try {
      await state.save()
    } catch (err) {
      this.o.log.warn({ err: describe(err) }, `cannot save what was delivered to ${this.destination}; later runs will recognise it in the store`)
    }
  }

  private async loadState (): Promise<TargetState> {
    return await TargetState.load(this.o.stateFile, this.destination, this.o.log)
  }

  /** Once per path for the life of the target: the same symlink is not worth a warning every round. */
  private warnSkipped (skipped: readonly string[]): void {
    const fresh = skipped.filter(s => !this.warned.has(s))
    if (fresh.length === 0) return
    for (const s of fresh) this.warned.add(s)
    this.o.log.warn({ paths: fresh.slice(0, 50), count: fresh.length }, `${this.destination} cannot hold these; skipped`)
  }

  private failure (what: 'mirror' | 'check', err: unknown, signal: AbortSignal | undefined): TargetError {
    if (err instanceof TargetError) return err
    if (signal?.aborted === true) {
      return new TargetError(`${what} of ${this.destination} aborted: ${describe(signal.reason)}`, { cause: err })
    }
    return new TargetError(`${what} of ${this.destination} failed: ${describe(err)}`, { cause: err })
  }
}

/**
 * The paths the syncer reported, and everything inside a reported folder.
 * A full comparison names nothing: there size and mtime decide, as in
 * rsync's quick check, so a chmod or a new hard link elsewhere does not
 * resend every file whose ctime moved.
 */
function namedBy (changed: ReadonlySet<string> | undefined): (path: string) => boolean {
  if (changed === undefined) return () => false
  return path => {
    for (let p = path; ; p = p.slice(0, p.lastIndexOf('/'))) {
      if (changed.has(p)) return true
      if (!p.includes('/')) return false
    }
  }
}
