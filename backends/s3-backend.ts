/**
 * A pull origin on S3 (AWS or an S3-compatible server): one Backend per
 * bucket, one SDK client (and so one pool of keep-alive connections) shared
 * by every file read from it. `path` is the object key as written after
 * s3://bucket/ (backends/s3-origin.ts), used verbatim.
 *
 * Revalidation: with an etag, GetObject If-None-Match; with size+mtime,
 * If-Modified-Since. The SDK throws on the 304 answer; that becomes
 * { status: 'not-modified' }. An aborted call rejects with the signal's
 * reason (an AbortError unless the caller gave another), not a BackendError:
 * the caller asked for it, so it is not the store's failure.
 */
import { createWriteStream } from 'node:fs'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type GetObjectCommandInput, type GetObjectCommandOutput,
  type S3Client
} from '@aws-sdk/client-s3'
import { BackendError } from '../src/errors.js'
import type { Logger } from '../src/logger.js'
import type { Backend, CallOptions, FetchResult, ListEntry, RemoteMeta, Validator } from './backend.js'
import { createS3Client, type S3ClientSettings } from './s3-client.js'
import { isInvalidRange, isNotFound, isNotModified, s3ErrorCode, s3Failure } from './s3-errors.js'
import { listS3Folder } from './s3-list.js'

export interface S3BackendSettings extends S3ClientSettings {
  readonly bucket: string
}

export interface S3BackendOptions extends S3BackendSettings {
  readonly log: Logger
  /** Keys per ListObjectsV2 page (default and maximum 1000); tests make it small to force many pages. */
  readonly listPageSize?: number
}

export class S3Backend implements Backend {
  readonly name: string
  readonly #bucket: string
  readonly #client: S3Client
  readonly #log: Logger
  readonly #listPageSize: number | undefined

  constructor (o: S3BackendOptions) {
    this.#bucket = o.bucket
    this.#log = o.log
    this.#listPageSize = o.listPageSize
    this.#client = createS3Client(o, o.log)
    this.name = o.endpoint === undefined ? `s3://${o.bucket}` : `s3://${o.bucket} at ${new URL(o.endpoint).origin}`
  }

  async stat (path: string, o: CallOptions = {}): Promise<RemoteMeta | undefined> {
    const Key = keyOf(path)
    try {
      const out = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key }), sendOptions(o))
      return metaOf(out, Key)
    } catch (err) {
      o.signal?.throwIfAborted()
      // A HEAD cannot tell a missing key from a missing bucket: check() names the bucket.
      if (isNotFound(err)) return undefined
      throw s3Failure(err, { bucket: this.#bucket, key: Key, op: 'HeadObject' })
    }
  }

  async fetch (path: string, destFile: string, o: CallOptions & { ifNoneMatch?: Validator } = {}): Promise<FetchResult> {
    const Key = keyOf(path)
    const input: GetObjectCommandInput = { Bucket: this.#bucket, Key, ...conditions(o.ifNoneMatch) }
    let out: GetObjectCommandOutput
    try {
      out = await this.#client.send(new GetObjectCommand(input), sendOptions(o))
    } catch (err) {
      o.signal?.throwIfAborted()
      if (o.ifNoneMatch !== undefined && isNotModified(err)) {
        this.#log.debug({ key: Key }, 's3: not modified')
        return { status: 'not-modified' }
      }
      throw s3Failure(err, { bucket: this.#bucket, key: Key, op: 'GetObject' })
    }
    const size = await this.#save(out.Body, destFile, out.ContentLength, Key, o.signal)
    const meta = metaOf({ ...out, ContentLength: size }, Key)
    this.#log.debug({ key: Key, size }, 's3: fetched')
    return { status: 'fetched', meta }
  }

  /** Folder `dir` (a prefix ending in '/', or '' for the bucket), page by page (s3-list.ts). */
  list (dir: string, o: CallOptions = {}): AsyncGenerator<ListEntry> {
    const pageSize = this.#listPageSize
    return listS3Folder({ client: this.#client, bucket: this.#bucket, dir, ...(pageSize === undefined ? {} : { pageSize }) }, o)
  }

  /**
   * Up to `length` bytes at `offset`; fewer at the end of the object and none
   * past it (S3 answers 416 there), as pread does.
   */
  async readRange (path: string, offset: number, length: number, o: CallOptions = {}): Promise<Buffer> {
    const Key = keyOf(path)
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
      throw new BackendError('invalid', `readRange s3://${this.#bucket}/${Key}: bad range ${offset}+${length}`)
    }
    if (length === 0) return Buffer.alloc(0)
    const Range = `bytes=${offset}-${offset + length - 1}`
    try {
      const out = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key, Range }), sendOptions(o))
      const bytes = await out.Body?.transformToByteArray()
      const buf = Buffer.from(bytes?.buffer ?? new ArrayBuffer(0), bytes?.byteOffset ?? 0, bytes?.byteLength ?? 0)
      // A server that ignores Range answers 200 with the whole object: cut the range out of it.
      return out.ContentRange === undefined ? buf.subarray(offset, offset + length) : buf.subarray(0, length)
    } catch (err) {
      o.signal?.throwIfAborted()
      if (isInvalidRange(err)) return Buffer.alloc(0)
      throw s3Failure(err, { bucket: this.#bucket, key: Key, op: 'GetObject' })
    }
  }

  /**
   * Reachable, credentials accepted, bucket there. A listing of one key, not
   * HeadBucket: its XML error body says which (InvalidAccessKeyId,
   * SignatureDoesNotMatch, NoSuchBucket), where HEAD only says 403 or 404.
   * AccessDenied passes: the signature was accepted, and read-only
   * credentials often may get objects without listing them.
   */
  async check (o: CallOptions = {}): Promise<void> {
    try {
      await this.#client.send(new ListObjectsV2Command({ Bucket: this.#bucket, MaxKeys: 1 }), sendOptions(o))
    } catch (err) {
      o.signal?.throwIfAborted()
      if (s3ErrorCode(err) === 'AccessDenied') {
        this.#log.debug(`s3: s3://${this.#bucket}: credentials accepted, listing not allowed (AccessDenied)`)
        return
      }
      throw s3Failure(err, { bucket: this.#bucket, op: 'ListObjectsV2' })
    }
  }

  close (): Promise<void> {
    this.#client.destroy()
    return Promise.resolve()
  }

  /**
   * Streams the body into `dest` and returns its size, checked against
   * Content-Length when the server sent one. Local write errors (ENOSPC…)
   * pass through as they are: they are not the store's failure.
   */
  async #save (body: unknown, dest: string, expected: number | undefined, key: string, signal?: AbortSignal): Promise<number> {
    if (!(body instanceof Readable)) throw new BackendError('unavailable', `GetObject s3://${this.#bucket}/${key}: no body`)
    const file = createWriteStream(dest)
    try {
      await pipeline(body, file, signal === undefined ? {} : { signal })
    } catch (err) {
      signal?.throwIfAborted()
      if (isLocalError(err, dest)) throw err
      throw s3Failure(err, { bucket: this.#bucket, key, op: 'GetObject' })
    }
    if (expected !== undefined && file.bytesWritten !== expected) {
      throw new BackendError('unavailable',
        `GetObject s3://${this.#bucket}/${key}: the body had ${file.bytesWritten} bytes, Content-Length said ${expected}`)
    }
    return file.bytesWritten
  }
}

function keyOf (path: string): string {
  if (path === '') throw new BackendError('invalid', 'an S3 object key cannot be empty')
  return path
}

function sendOptions (o: CallOptions): { abortSignal?: AbortSignal } {
  return o.signal === undefined ? {} : { abortSignal: o.signal }
}

function conditions (v: Validator | undefined): Pick<GetObjectCommandInput, 'IfNoneMatch' | 'IfModifiedSince'> {
  if (v === undefined) return {}
  if ('etag' in v) return { IfNoneMatch: v.etag }
  // HTTP dates have whole seconds; S3 answers 304 when LastModified is not later than this.
  return { IfModifiedSince: new Date(v.mtimeMs) }
}

function metaOf (out: { ContentLength?: number | undefined; LastModified?: Date | undefined; ETag?: string | undefined }, key: string): RemoteMeta {
  if (out.ContentLength === undefined) throw new BackendError('unavailable', `s3 object ${key}: no Content-Length in the answer`)
  return {
    size: out.ContentLength,
    mtimeMs: out.LastModified?.getTime() ?? 0,
    ...(out.ETag === undefined ? {} : { etag: out.ETag })
  }
}

function isLocalError (err: unknown, dest: string): boolean {
  return typeof err === 'object' && err !== null && (err as { path?: unknown }).path === dest
}
