/**
 * One trip to the origin for one file, and the commit of what came back.
 *
 * Write order for a new version: download into a temp file → set its mtime
 * to the origin's (so fstat of an open handle reports it) → fsync → write
 * the sidecar atomically → rename the data into place. Until the last step
 * the old copy is untouched, so a failure at any point leaves the old copy
 * (or none) and never a partial file under the served name.
 */
import { open, rename, rm, stat, utimes } from 'node:fs/promises'
import type { Backend } from '../../backends/backend.js'
import type { Clock } from '../push/clock.js'
import type { CacheLayout } from './cache-layout.js'
import { validatorOf, writeCacheMeta, type CacheMeta } from './cache-meta.js'

export interface FetchTarget {
  readonly name: string
  readonly origin: string
  readonly backend: Backend
  readonly path: string
}

export interface FetchOutcome {
  readonly result: 'fetched' | 'not-modified'
  readonly copy: CacheMeta
}

/** Flushes the downloaded bytes to the device before anything points at them. */
async function syncFile (file: string): Promise<void> {
  const fh = await open(file, 'r+')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}

async function commitDownload (layout: CacheLayout, f: FetchTarget, tmp: string, copy: Omit<CacheMeta, 'local'>,
  signal: AbortSignal): Promise<CacheMeta> {
  await utimes(tmp, copy.meta.mtimeMs / 1000, copy.meta.mtimeMs / 1000)
  await syncFile(tmp)
  const st = await stat(tmp)
  const full: CacheMeta = { ...copy, local: { ino: st.ino, size: st.size } }
  await layout.prepareDataPath(f.name)
  // Last chance to give up: after the sidecar is written the new version is committed.
  signal.throwIfAborted()
  await writeCacheMeta(layout.metaPath(f.name), layout.tmpDir, full)
  await rename(tmp, layout.dataPath(f.name))
  return full
}

/**
 * Fetches `f` (conditionally when `current` is given) and commits it.
 * Not-modified rewrites only the sidecar, with a new fetchedAt. Throws
 * what the backend threw; the temp file (`tmp`, a fresh name by default) is
 * gone either way.
 */
export async function fetchIntoCache (layout: CacheLayout, f: FetchTarget, current: CacheMeta | undefined,
  clock: Clock, signal: AbortSignal, tmp = layout.tempPath()): Promise<FetchOutcome> {
  try {
    const opts = current === undefined ? { signal } : { signal, ifNoneMatch: validatorOf(current.meta) }
    const r = await f.backend.fetch(f.path, tmp, opts)
    signal.throwIfAborted()
    if (r.status === 'not-modified') {
      if (current === undefined) throw new Error(`${f.backend.name} answered not-modified to an unconditional fetch`)
      const copy: CacheMeta = { ...current, fetchedAt: clock.now() }
      await writeCacheMeta(layout.metaPath(f.name), layout.tmpDir, copy)
      return { result: 'not-modified', copy }
    }
    const copy = await commitDownload(layout, f, tmp, { meta: r.meta, fetchedAt: clock.now(), origin: f.origin }, signal)
    return { result: 'fetched', copy }
  } finally {
    await rm(tmp, { force: true })
  }
}
