/**
 * The trips to the origin for one cached file, and what their outcomes do
 * to it: a stat for getattr, a (conditional) fetch for open, and the
 * stale-if-error rule for failures (origin-failure.ts says which errno).
 * A failure never marks a copy fresh, so the next open asks again.
 */
import type { RemoteMeta } from '../../backends/backend.js'
import { describe, FsError } from '../errors.js'
import type { Logger } from '../logger.js'
import type { Clock } from '../push/clock.js'
import type { CacheEntry } from './cache-entry.js'
import type { CacheLayout } from './cache-layout.js'
import { fetchIntoCache } from './fetch-into-cache.js'
import { failureKind, fsErrorFor } from './origin-failure.js'

export interface FileAttrs { readonly size: number; readonly mtimeMs: number }

export interface RefresherDeps {
  readonly layout: CacheLayout
  readonly clock: Clock
  readonly log: Logger
  /** Aborted when the cache closes: every trip stops. */
  readonly closing: AbortSignal
  /** A new copy of `e` is on disk. */
  readonly committed: (e: CacheEntry) => void
  /** The copy of `e` was removed (the origin says the file is gone). */
  readonly dropped: (e: CacheEntry) => void
}

/** Attributes from an origin's stat; undefined (no such object) is ENOENT. */
export function attrsOf (e: CacheEntry, meta: FileAttrs | undefined): FileAttrs {
  if (meta === undefined) throw new FsError('ENOENT', `${e.name}: ${e.config.origin}: not found at the origin`)
  return { size: meta.size, mtimeMs: meta.mtimeMs }
}

/** An abort (the caller gave up or the cache is closing) is no news about the origin. */
export function signalled (err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError' ||
    (err instanceof FsError && err.code === 'EINTR'))
}

export class CacheRefresher {
  readonly #d: RefresherDeps

  constructor (deps: RefresherDeps) {
    this.#d = deps
  }

  /** The origin's attributes of `e` (memoized on the entry), or the copy's if the origin fails. */
  async stat (e: CacheEntry, signal: AbortSignal): Promise<FileAttrs> {
    const { backend, path } = e.config
    let meta: RemoteMeta | undefined
    try {
      meta = await backend.stat(path, { signal: AbortSignal.any([signal, this.#d.closing]) })
    } catch (err) {
      this.#failed(e, err, 'stat')
      // Served from the copy, and remembered like an answer: a dead origin then costs one
      // timeout per cachetime instead of one per getattr (an `ls -l` would hang for minutes).
      const fallback = { size: e.copy?.local.size ?? 0, mtimeMs: e.copy?.meta.mtimeMs ?? 0 }
      e.statMemo = { meta: fallback, at: this.#d.clock.now() }
      return fallback
    }
    e.statMemo = { meta, at: this.#d.clock.now() }
    e.failing = false
    return attrsOf(e, meta)
  }

  /** Brings the copy of `e` up to date, or leaves a servable stale copy, or throws the FsError. */
  async fetch (e: CacheEntry, signal: AbortSignal): Promise<void> {
    const { backend, path, origin } = e.config
    const tmp = this.#d.layout.tempPath()
    const refreshes = e.refreshes
    e.download = tmp
    try {
      const out = await fetchIntoCache(this.#d.layout, { name: e.name, origin, backend, path }, e.copy, this.#d.clock,
        AbortSignal.any([signal, this.#d.closing]), tmp)
      e.copy = out.copy
      e.statMemo = undefined
      // A refresh asked for while this trip was under way may postdate what it saw: it stays stale.
      if (e.refreshes === refreshes) e.forceRevalidate = false
      e.record(out.result, this.#d.clock.now())
      this.#d.committed(e)
    } catch (err) {
      this.#failed(e, err, 'fetch')
    } finally {
      e.download = undefined
    }
  }

  /** Returns when the cached copy may be served (stale-if-error), throws the FsError to answer otherwise. */
  #failed (e: CacheEntry, err: unknown, op: 'stat' | 'fetch'): void {
    const { origin } = e.config
    const now = this.#d.clock.now()
    if (signalled(err)) throw fsErrorFor(e.name, origin, err)
    if (failureKind(err) === 'gone') {
      if (op === 'fetch') this.#drop(e)
      e.record('not-found', now)
      throw fsErrorFor(e.name, origin, err)
    }
    const served = e.copy !== undefined
    if (e.record(served ? 'stale-served' : 'failed', now, describe(err))) {
      const msg = served ? 'origin failed; serving the cached copy' : 'origin failed; no cached copy'
      this.#d.log.warn({ file: e.name, origin, op, err: describe(err) }, msg)
    }
    if (!served) throw fsErrorFor(e.name, origin, err)
  }

  /** The origin says the file is gone: so is the copy (open handles keep their bytes). */
  #drop (e: CacheEntry): void {
    if (e.copy === undefined) return
    this.#d.layout.removeCopy(e.name)
    e.copy = undefined
    this.#d.dropped(e)
    this.#d.log.info({ file: e.name, origin: e.config.origin }, 'not found at the origin; cached copy removed')
  }
}
