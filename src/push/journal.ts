/**
 * The on-disk set of changes not yet delivered to each push target, so that a
 * crash or a reboot loses nothing: the next start syncs what is left.
 *
 * Storage: `<stateDir>/journal.log`, an append-only file of JSON lines (the
 * line format is documented in journal-entry.ts), guarded by
 * `<stateDir>/lock` (state-lock.ts). `record` is on the FUSE write path, so it
 * only appends to a memory buffer; a group commit writes and fdatasyncs the
 * buffer within `flushDelayMs`, or at once on `flush()`. What was recorded
 * before a `flush()` resolved survives SIGKILL and power loss. The log is
 * rewritten (temp file, fsync, rename, fsync of the dir) at every open and
 * whenever it grows past `compactBytes`, so it stays the size of the pending set.
 */
import { mkdir, open, rename, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { formatEntry, type JournalEntry } from './journal-entry.js'
import { replayJournal } from './journal-replay.js'
import type { JournalState, PendingSnapshot } from './journal-state.js'
import { acquireStateLock, type StateLock } from './state-lock.js'
import { silentLogger, type Logger } from '../logger.js'

export type { PendingSnapshot } from './journal-state.js'

export const JOURNAL_FILE = 'journal.log'

export interface JournalOptions {
  /** Longest time a record waits in memory before it is written (default 50 ms). */
  readonly flushDelayMs?: number
  /** Compact when the log passes this size (default 1 MiB). */
  readonly compactBytes?: number
  readonly log?: Logger
}

interface Settings { readonly flushDelayMs: number; readonly compactBytes: number; readonly log: Logger }

export class Journal {
  readonly file: string
  private readonly state: JournalState
  private readonly lock: StateLock
  private readonly o: Settings
  private handle: FileHandle | undefined
  private size = 0
  private buffer: string[] = []
  private timer: NodeJS.Timeout | undefined
  /** Every file operation runs on this chain, one at a time, in order. */
  private chain: Promise<void> = Promise.resolve()
  private closing: Promise<void> | undefined
  private closed = false

  private constructor (stateDir: string, state: JournalState, lock: StateLock, o: Settings) {
    this.file = join(stateDir, JOURNAL_FILE)
    this.state = state
    this.lock = lock
    this.o = o
  }

  /** Locks `stateDir` (created if missing), replays and compacts its log. */
  static async open (stateDir: string, targetLabels: readonly string[], o: JournalOptions = {}): Promise<Journal> {
    const log = o.log ?? silentLogger
    await mkdir(stateDir, { recursive: true, mode: 0o700 })
    const lock = await acquireStateLock(stateDir)
    try {
      const { state } = await replayJournal(join(stateDir, JOURNAL_FILE), targetLabels, log)
      const settings = { flushDelayMs: o.flushDelayMs ?? 50, compactBytes: o.compactBytes ?? 1024 * 1024, log }
      const j = new Journal(stateDir, state, lock, settings)
      await j.enqueue(() => j.compact())
      return j
    } catch (err) {
      await lock.release()
      throw err
    }
  }

  get labels (): readonly string[] {
    return this.state.labels
  }

  /** Notes that `path` (relative to root) changed. Cheap: the write to disk follows within flushDelayMs. */
  record (path: string): void {
    this.append({ s: this.state.seq + 1, p: path })
  }

  /** What `label` has not received yet; pass it back to markDelivered when the target succeeded. */
  pending (label: string): PendingSnapshot {
    return this.state.pending(label)
  }

  pendingCount (label: string): { readonly paths: number; readonly all: boolean } {
    return this.state.count(label)
  }

  hasPending (): boolean {
    return this.state.hasPending()
  }

  /**
   * Clears what `label` received: the snapshot's paths (or everything, for a
   * full mirror) as recorded up to the snapshot's sequence number. A path
   * recorded again since then stays pending.
   */
  markDelivered (label: string, delivered: PendingSnapshot): void {
    if (!this.state.has(label)) return
    if (delivered.all) this.append({ d: label, u: delivered.seq, all: true })
    else if (delivered.size > 0) this.append({ d: label, u: delivered.seq, p: [...delivered] })
  }

  /** Resolves when everything recorded so far is on disk. */
  flush (): Promise<void> {
    return this.enqueue(() => this.writeBuffer())
  }

  /** Flushes, marks the log as cleanly closed and releases the state dir. Safe to call twice. */
  close (): Promise<void> {
    this.closing ??= this.finish()
    return this.closing
  }

  private async finish (): Promise<void> {
    this.append({ c: 1 })
    this.closed = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    try {
      await this.flush()
      await this.handle?.close()
    } finally {
      this.handle = undefined
      await this.lock.release()
    }
  }

  private append (e: JournalEntry): void {
    // Nothing may follow the clean-close line, or the next run would trust an incomplete log.
    if (this.closed) throw new Error(`journal ${this.file} is closed`)
    this.state.apply(e)
    this.buffer.push(formatEntry(e))
    // Unref'd: a pending group commit must not keep a stopping process alive; close() flushes.
    this.timer ??= setTimeout(() => {
      this.timer = undefined
      this.flush().catch((err: unknown) => this.o.log.error({ err, file: this.file }, 'journal write failed'))
    }, this.o.flushDelayMs).unref()
  }

  private enqueue (task: () => Promise<void>): Promise<void> {
    // A failed task must not wedge the chain: the next flush retries what is still buffered.
    const run = this.chain.then(task)
    this.chain = run.catch(() => {})
    return run
  }

  private async writeBuffer (): Promise<void> {
    if (this.buffer.length === 0 || this.handle === undefined) return
    const data = this.buffer.join('')
    this.buffer = []
    try {
      await this.handle.appendFile(data)
      await this.handle.datasync()
    } catch (err) {
      this.buffer.unshift(data)
      throw err
    }
    this.size += Buffer.byteLength(data)
    if (this.size > this.o.compactBytes) await this.compact()
  }

  /** Rewrites the log as the current state, atomically. */
  private async compact (): Promise<void> {
    // State and buffer are taken in the same tick: the snapshot supersedes every buffered line.
    const data = [...this.state.entries()].map(formatEntry).join('')
    const superseded = this.buffer
    this.buffer = []
    try {
      await writeDurably(this.file, data)
    } catch (err) {
      this.buffer = superseded.concat(this.buffer)
      throw err
    }
    await this.handle?.close()
    this.handle = await open(this.file, 'a')
    this.size = Buffer.byteLength(data)
  }
}

async function writeDurably (file: string, data: string): Promise<void> {
  const tmp = `${file}.tmp`
  const h = await open(tmp, 'w', 0o600)
  try {
    await h.writeFile(data)
    await h.sync()
  } finally {
    await h.close()
  }
  await rename(tmp, file)
  // The rename itself is only durable once the directory is synced.
  const dir = await open(join(file, '..'), 'r')
  try {
    await dir.sync()
  } finally {
    await dir.close()
  }
}
