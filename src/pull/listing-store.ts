/**
 * The listings of one directory origin on disk, one JSON-lines file per
 * listed folder, so that a remount serves fresh listings without asking
 * the origin:
 *
 *   {"v":1,"dir":"a/b","path":"prefix/a/b/","origin":"s3://bucket/prefix/","fetchedAt":1763719216000}
 *   {"name":"x.txt","type":"file","size":12,"mtimeMs":1763719200000,"etag":"\"9b2c…\"","path":"prefix/a/b/x.txt"}
 *   …
 *   {"end":2}
 *
 * The file is named by a hash of the folder's tree path (the header keeps
 * the path itself), so no remote name becomes a local file name here. It is
 * written to a temp file as the entries arrive, then renamed into place: a
 * huge folder streams through without being held, and a reader sees the
 * previous listing or the new one. The closing count tells a complete file
 * from one cut short by a crash; anything unexpected discards the file.
 */
import { createReadStream } from 'node:fs'
import { open, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { randomUUID } from 'node:crypto'
import { hashName, unsafeName } from './tree-path.js'

export interface TreeEntry {
  readonly name: string
  readonly type: 'file' | 'dir'
  readonly size: number
  readonly mtimeMs: number
  readonly etag?: string
  /** The backend path to fetch (a file) or list (a folder). */
  readonly path: string
}

export interface StoredListing {
  /** The folder's tree path ('' for the top). */
  readonly dir: string
  /** The backend path that was listed. */
  readonly path: string
  readonly fetchedAt: number
  /** By name. Where a name came twice (S3: an object "a" and a prefix "a/"), the folder won. */
  readonly entries: ReadonlyMap<string, TreeEntry>
}

const WRITE_CHUNK = 64 * 1024

export class ListingStore {
  constructor (private readonly dir: string, private readonly tmpDir: string, private readonly origin: string) {}

  fileOf (rel: string): string { return join(this.dir, `${hashName(rel)}.jsonl`) }

  /** The stored listing of `rel`, or undefined (never listed, another origin's, or damaged: then removed). */
  async read (rel: string): Promise<StoredListing | undefined> {
    const file = this.fileOf(rel)
    let parsed: StoredListing | undefined
    try {
      parsed = await parseFile(file, rel, this.origin)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
    if (parsed === undefined) await rm(file, { force: true })
    return parsed
  }

  /** Writes the listing of `rel` from `entries` as they come; replaces the old one only when all arrived. */
  async write (rel: string, path: string, fetchedAt: number, entries: AsyncIterable<TreeEntry>): Promise<void> {
    const tmp = join(this.tmpDir, `${randomUUID()}.jsonl`)
    try {
      const fh = await open(tmp, 'w', 0o644)
      try {
        let buf = `${JSON.stringify({ v: 1, dir: rel, path, origin: this.origin, fetchedAt })}\n`
        let count = 0
        for await (const e of entries) {
          buf += `${JSON.stringify(e)}\n`
          count++
          if (buf.length >= WRITE_CHUNK) { await fh.write(buf); buf = '' }
        }
        await fh.write(`${buf}${JSON.stringify({ end: count })}\n`)
      } finally {
        await fh.close()
      }
      await rename(tmp, this.fileOf(rel))
    } catch (err) {
      await rm(tmp, { force: true })
      throw err
    }
  }

  async remove (rel: string): Promise<void> {
    await rm(this.fileOf(rel), { force: true })
  }
}

async function parseFile (file: string, rel: string, origin: string): Promise<StoredListing | undefined> {
  const input = createReadStream(file, 'utf8')
  try {
    return await parseLines(createInterface({ input, crlfDelay: Infinity }), rel, origin)
  } finally {
    input.destroy()
  }
}

async function parseLines (lines: AsyncIterable<string>, rel: string, origin: string): Promise<StoredListing | undefined> {
  let head: { path: string; fetchedAt: number } | undefined
  const entries = new Map<string, TreeEntry>()
  let count = 0
  for await (const line of lines) {
    const v = parseJson(line)
    if (head === undefined) {
      head = headerOf(v, rel, origin)
      if (head === undefined) return undefined
    } else if (typeof v['end'] === 'number') {
      return v['end'] === count ? { dir: rel, path: head.path, fetchedAt: head.fetchedAt, entries } : undefined
    } else {
      const e = entryOf(v)
      if (e === undefined) return undefined
      count++
      if (e.type === 'dir' || entries.get(e.name)?.type !== 'dir') entries.set(e.name, e)
    }
  }
  return undefined
}

function parseJson (line: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(line)
    return typeof v === 'object' && v !== null ? v as Record<string, unknown> : {}
  } catch {
    return {}
  }
}

function headerOf (v: Record<string, unknown>, rel: string, origin: string): { path: string; fetchedAt: number } | undefined {
  const { path, fetchedAt } = v
  // Another folder (a hash collision) or another origin (the config changed): not this listing.
  if (v['v'] !== 1 || v['dir'] !== rel || v['origin'] !== origin) return undefined
  if (typeof path !== 'string' || typeof fetchedAt !== 'number' || !Number.isFinite(fetchedAt)) return undefined
  return { path, fetchedAt }
}

function entryOf (v: Record<string, unknown>): TreeEntry | undefined {
  const { name, type, size, mtimeMs, etag, path } = v
  if (typeof name !== 'string' || (type !== 'file' && type !== 'dir') || typeof path !== 'string') return undefined
  // Checked when listed; checked again because this file could have been edited since.
  if (unsafeName(name) !== undefined) return undefined
  if (typeof size !== 'number' || typeof mtimeMs !== 'number' || (etag !== undefined && typeof etag !== 'string')) return undefined
  return { name, type, size, mtimeMs, ...(etag === undefined ? {} : { etag }), path }
}
