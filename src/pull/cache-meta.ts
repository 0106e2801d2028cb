/**
 * The sidecar that makes a cached data file trustworthy: what the origin
 * said about it, when it was last confirmed current, which origin it came
 * from, and which local file it describes.
 *
 * `local.ino` ties the sidecar to one data file: the sidecar is written
 * before the data file is renamed into place, so a crash between the two
 * leaves a sidecar that names an inode the data path does not have, and the
 * pair is discarded at the next start instead of serving mixed versions.
 * (rename keeps the inode, so the temp file's inode is the final one.)
 */
import { randomUUID } from 'node:crypto'
import { open, readFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { RemoteMeta, Validator } from '../../backends/backend.js'

export interface CacheMeta {
  /** What the origin reported for the version on disk (kept as is: it is the validator). */
  readonly meta: RemoteMeta
  /** When the origin last confirmed this copy (fetched or not-modified), clock ms. */
  readonly fetchedAt: number
  /** The origin as configured; another origin in the config invalidates the copy. */
  readonly origin: string
  /** The data file this sidecar describes: its inode and its real byte count. */
  readonly local: { readonly ino: number; readonly size: number }
}

/** The cheapest fingerprint the origin can compare: its etag, else size and mtime. */
export function validatorOf (meta: RemoteMeta): Validator {
  return meta.etag !== undefined ? { etag: meta.etag } : { size: meta.size, mtimeMs: meta.mtimeMs }
}

/**
 * Whether two descriptions of an object name one version: by etag when both
 * have one, else by size and mtime to the second (a listing and a fetch of
 * the same object may round the time differently).
 */
export function sameVersion (a: RemoteMeta, b: RemoteMeta): boolean {
  if (a.etag !== undefined && b.etag !== undefined) return a.etag === b.etag
  return a.size === b.size && Math.floor(a.mtimeMs / 1000) === Math.floor(b.mtimeMs / 1000)
}

/** What a folder listing said about a tree file, and when that listing was fetched. */
export interface ListedVersion { readonly meta: RemoteMeta; readonly at: number }

/** The listing, newer than the copy, names another version: the copy is stale, whatever its age. */
export function outdatedBy (copy: CacheMeta | undefined, listed: ListedVersion | undefined): boolean {
  return copy !== undefined && listed !== undefined && listed.at > copy.fetchedAt && !sameVersion(copy.meta, listed.meta)
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

function parseRemoteMeta (v: unknown): RemoteMeta | undefined {
  if (!isObj(v) || !isNum(v['size']) || !isNum(v['mtimeMs'])) return undefined
  const etag = v['etag']
  if (etag !== undefined && typeof etag !== 'string') return undefined
  return etag === undefined ? { size: v['size'], mtimeMs: v['mtimeMs'] } : { size: v['size'], mtimeMs: v['mtimeMs'], etag }
}

/** The sidecar in `text`, or undefined when it is not one (truncated, hand-edited, older format). */
export function parseCacheMeta (text: string): CacheMeta | undefined {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!isObj(v) || !isNum(v['fetchedAt']) || typeof v['origin'] !== 'string') return undefined
  const meta = parseRemoteMeta(v['meta'])
  const local = v['local']
  if (meta === undefined || !isObj(local) || !isNum(local['ino']) || !isNum(local['size'])) return undefined
  return { meta, fetchedAt: v['fetchedAt'], origin: v['origin'], local: { ino: local['ino'], size: local['size'] } }
}

/** The sidecar at `file`, or undefined when it is missing or unreadable as one. */
export async function readCacheMeta (file: string): Promise<CacheMeta | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  return parseCacheMeta(text)
}

/**
 * Replaces the sidecar at `file` atomically: written and fsynced under a
 * temp name in `tmpDir` (same filesystem), then renamed over, so a reader or
 * a crash sees the old sidecar or the new one, never half of one.
 */
export async function writeCacheMeta (file: string, tmpDir: string, m: CacheMeta): Promise<void> {
  const tmp = join(tmpDir, `${randomUUID()}.json`)
  try {
    const fh = await open(tmp, 'w', 0o644)
    try {
      await fh.writeFile(`${JSON.stringify(m)}\n`)
      await fh.sync()
    } finally {
      await fh.close()
    }
    await rename(tmp, file)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
}
