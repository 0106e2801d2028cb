/**
 * An in-memory pull Backend with fault injection, for tests of the file
 * cache without a server.
 *
 *   const b = new MemoryBackend()
 *   b.put('/f', 'content', { mtimeMs: 1000 })     // etag "v1"; { etag: false } for none
 *   b.fault = 'unavailable'                       // or timeout, forbidden, not-found, fail-midway
 *   const gate = b.hold()                         // later calls wait until gate.release()
 *   b.calls                                       // stat, fetch, conditional, downloads
 *   b.listed                                      // the folders list() was asked for, in order
 *
 * Folders are implied by paths, as S3 prefixes are: list('/t/') gives the
 * files directly under /t/ and one folder per deeper name; a folder with
 * nothing under it is not-found (as over SFTP), unless made with mkdir().
 * `b.oddEntries.set('/t/', [...])` adds entries list() gives verbatim (names
 * no path could produce: "", "a/b", ".." ...).
 *
 * `fail-midway` writes half the object into destFile and then throws an
 * unavailable BackendError, as a connection dropped mid-download would.
 */
import { writeFile } from 'node:fs/promises'
import type { Backend, FetchResult, ListEntry, RemoteMeta, Validator } from '../../backends/backend.js'
import { BackendError } from '../../src/errors.js'

export type Fault = 'unavailable' | 'timeout' | 'forbidden' | 'not-found' | 'fail-midway'

interface StoredObject { content: Buffer; mtimeMs: number; etag: string | undefined }

export interface Gate {
  /** Lets every held call (and every later one) go on. */
  release(): void
  /** How many calls are waiting at the gate now. */
  readonly waiting: number
}

export interface CallCounts { stat: number; fetch: number; conditional: number; downloads: number }

function matches (o: StoredObject, v: Validator): boolean {
  return 'etag' in v ? o.etag === v.etag : o.content.length === v.size && o.mtimeMs === v.mtimeMs
}

export class MemoryBackend implements Backend {
  readonly name: string
  readonly objects = new Map<string, StoredObject>()
  readonly calls: CallCounts = { stat: 0, fetch: 0, conditional: 0, downloads: 0 }
  /** Folder paths list() was called with, in order. */
  readonly listed: string[] = []
  /** Entries list() adds to a folder as they are. */
  readonly oddEntries = new Map<string, ListEntry[]>()
  readonly #folders = new Set<string>()
  /** Applies to stat, fetch and list until set back to undefined. */
  fault: Fault | undefined
  #version = 0
  #gate: Promise<void> | undefined
  #waiting = 0

  constructor (name = 'memory://test') {
    this.name = name
  }

  put (path: string, content: string | Buffer, o: { mtimeMs?: number; etag?: string | false } = {}): RemoteMeta {
    this.#version++
    const etag = o.etag === false ? undefined : (o.etag ?? `"v${this.#version}"`)
    const obj = { content: Buffer.from(content), mtimeMs: o.mtimeMs ?? 1_700_000_000_000 + this.#version * 1000, etag }
    this.objects.set(path, obj)
    return this.#meta(obj)
  }

  remove (path: string): void { this.objects.delete(path) }

  /** An empty folder (`dir` ends in '/'), listed even with nothing under it. */
  mkdir (dir: string): void { this.#folders.add(dir) }

  /** Removes every object and folder under `dir` (ending in '/'). */
  removeTree (dir: string): void {
    for (const path of [...this.objects.keys(), ...this.#folders]) {
      if (path.startsWith(dir)) { this.objects.delete(path); this.#folders.delete(path) }
    }
  }

  async * list (dir: string, o: { signal?: AbortSignal } = {}): AsyncGenerator<ListEntry> {
    this.listed.push(dir)
    await this.#pass(o.signal)
    this.#failIf(dir)
    const entries = this.#entriesOf(dir)
    const odd = this.oddEntries.get(dir) ?? []
    if (this.fault === 'not-found' || (entries.size === 0 && odd.length === 0 && !this.#folders.has(dir))) {
      throw new BackendError('not-found', `${this.name}${dir}: no such folder`)
    }
    yield * entries.values()
    yield * odd
  }

  /** Holds every stat and fetch (after counting it) until the gate is released. */
  hold (): Gate {
    let open: () => void = () => {}
    const gate = new Promise<void>(resolve => { open = resolve })
    this.#gate = gate
    const self = this
    return {
      release: () => { if (this.#gate === gate) this.#gate = undefined; open() },
      get waiting () { return self.#waiting }
    }
  }

  async stat (path: string, o: { signal?: AbortSignal } = {}): Promise<RemoteMeta | undefined> {
    this.calls.stat++
    await this.#pass(o.signal)
    this.#failIf(path)
    const obj = this.fault === 'not-found' ? undefined : this.objects.get(path)
    return obj === undefined ? undefined : this.#meta(obj)
  }

  async fetch (path: string, destFile: string, o: { signal?: AbortSignal; ifNoneMatch?: Validator } = {}): Promise<FetchResult> {
    this.calls.fetch++
    if (o.ifNoneMatch !== undefined) this.calls.conditional++
    await this.#pass(o.signal)
    this.#failIf(path)
    const obj = this.fault === 'not-found' ? undefined : this.objects.get(path)
    if (obj === undefined) throw new BackendError('not-found', `${this.name}${path}: 404 Not Found`)
    if (o.ifNoneMatch !== undefined && matches(obj, o.ifNoneMatch)) return { status: 'not-modified' }
    if (this.fault === 'fail-midway') {
      await writeFile(destFile, obj.content.subarray(0, Math.floor(obj.content.length / 2)))
      throw new BackendError('unavailable', `${this.name}${path}: connection reset mid-download`)
    }
    this.calls.downloads++
    await writeFile(destFile, obj.content, { signal: o.signal })
    return { status: 'fetched', meta: this.#meta(obj) }
  }

  async close (): Promise<void> {}

  #entriesOf (dir: string): Map<string, ListEntry> {
    const entries = new Map<string, ListEntry>()
    for (const path of [...this.objects.keys(), ...this.#folders]) {
      if (!path.startsWith(dir) || path === dir) continue
      const rest = path.slice(dir.length)
      const slash = rest.indexOf('/')
      const obj = this.objects.get(path)
      if (slash < 0 && obj !== undefined) {
        entries.set(rest, { name: rest, type: 'file', meta: this.#meta(obj), path })
      } else {
        const name = rest.slice(0, slash < 0 ? undefined : slash)
        entries.set(name, { name, type: 'dir', meta: { size: 0, mtimeMs: 1_600_000_000_000 }, path: `${dir}${name}/` })
      }
    }
    return entries
  }

  #meta (o: StoredObject): RemoteMeta {
    return o.etag === undefined
      ? { size: o.content.length, mtimeMs: o.mtimeMs }
      : { size: o.content.length, mtimeMs: o.mtimeMs, etag: o.etag }
  }

  async #pass (signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted()
    const gate = this.#gate
    if (gate === undefined) return
    this.#waiting++
    try {
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => { reject(signal?.reason) }
        signal?.addEventListener('abort', onAbort, { once: true })
        gate.then(() => { signal?.removeEventListener('abort', onAbort); resolve() }, reject)
      })
    } finally {
      this.#waiting--
    }
  }

  /** Throws the injected failure; not-found and fail-midway are played out by the caller. */
  #failIf (path: string): void {
    const f = this.fault
    if (f === undefined || f === 'fail-midway' || f === 'not-found') return
    const messages = { unavailable: 'connection refused', timeout: 'timed out after 30 s', forbidden: '403 Forbidden' }
    throw new BackendError(f, `${this.name}${path}: ${messages[f]}`)
  }
}
