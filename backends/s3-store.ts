/**
 * A RemoteStore on S3: root's files become objects under a key prefix.
 * S3 has no folders, symlinks or permission bits (caps all false): the
 * target skips symlinks with a warning, does not keep empty folders, and
 * uploads each name of a hard-linked file as its own object.
 *
 * Versions are ETags (quotes removed). RGW answers CompleteMultipartUpload
 * with an empty ETag, so a missing one is read back with HeadObject; keys
 * ending in '/' (folder markers other tools make) are not files and are
 * left alone. A conflict copy is a CopyObject then a DeleteObject; like
 * every CopyObject it is limited to objects of 5 GiB.
 */
import { randomBytes } from 'node:crypto'
import {
  CopyObjectCommand, DeleteObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client
} from '@aws-sdk/client-s3'
import PQueue from 'p-queue'
import { BackendError } from '../src/errors.js'
import type { Logger } from '../src/logger.js'
import type { EntryType, LocalFile, RemoteEntry, RemoteStore, RemoteVersion, StoreCaps } from './remote-store.js'
import { abortOption, s3Call } from './s3-call.js'
import type { S3Destination } from './s3-target.js'
import { isNotFound, s3Failure } from './s3-errors.js'
import { bareEtag, fileMatchesEtag } from './s3-etag.js'
import { PART_SIZE, uploadFile, type S3UploadContext } from './s3-upload.js'

export interface S3StoreOptions {
  readonly destination: S3Destination
  readonly client: S3Client
  readonly concurrency: number
  readonly log: Logger
}

export class S3Store implements RemoteStore {
  readonly name: string
  readonly caps: StoreCaps = { dirs: false, symlinks: false, modes: false }
  private readonly bucket: string
  private readonly prefix: string
  private readonly client: S3Client
  private readonly uploads: S3UploadContext

  constructor (o: S3StoreOptions) {
    const s = o.destination.settings
    this.bucket = s.bucket
    this.prefix = o.destination.prefix
    this.client = o.client
    this.name = `s3://${s.bucket}/${this.prefix}${s.endpoint === undefined ? '' : ` at ${s.endpoint}`}`
    this.uploads = { client: o.client, bucket: s.bucket, bodies: new PQueue({ concurrency: o.concurrency }), log: o.log }
  }

  async list (signal: AbortSignal): Promise<Map<string, RemoteEntry>> {
    const out = new Map<string, RemoteEntry>()
    let token: string | undefined
    do {
      const page = await this.call('ListObjectsV2', undefined, signal, () => this.client.send(new ListObjectsV2Command({
        Bucket: this.bucket, Prefix: this.prefix, ...(token === undefined ? {} : { ContinuationToken: token })
      }), abortOption(signal)))
      for (const o of page.Contents ?? []) {
        const path = o.Key?.slice(this.prefix.length) ?? ''
        if (path === '' || path.endsWith('/')) continue
        out.set(path, { type: 'file', version: { size: o.Size ?? 0, etag: bareEtag(o.ETag) } })
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined
    } while (token !== undefined)
    return out
  }

  async stat (path: string, signal: AbortSignal): Promise<RemoteEntry | undefined> {
    const version = await this.head(this.key(path), signal)
    return version === undefined ? undefined : { type: 'file', version }
  }

  async prepare (): Promise<void> {
    // A prefix is not a thing to create: objects under it make it.
  }

  async upload (path: string, file: LocalFile, signal: AbortSignal): Promise<RemoteVersion> {
    const key = this.key(path)
    const etag = await uploadFile(this.uploads, key, file, signal)
    if (etag !== '') return { size: file.size, etag }
    const read = await this.head(key, signal)
    if (read === undefined) throw new BackendError('unavailable', `s3://${this.bucket}/${key}: missing right after its upload`)
    return read
  }

  async sameContent (file: LocalFile, version: RemoteVersion, signal: AbortSignal): Promise<boolean> {
    if (!('etag' in version) || version.size !== file.size) return false
    return await fileMatchesEtag(file.abs, file.size, version.etag, PART_SIZE, signal)
  }

  async remove (path: string, _type: EntryType, signal: AbortSignal): Promise<void> {
    const key = this.key(path)
    await this.call('DeleteObject', key, signal, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), abortOption(signal)))
  }

  async moveAside (path: string, to: string, type: EntryType, signal: AbortSignal): Promise<void> {
    const key = this.key(path)
    const CopySource = `${this.bucket}/${key}`.split('/').map(encodeURIComponent).join('/')
    await this.call('CopyObject', this.key(to), signal, () => this.client.send(new CopyObjectCommand({
      Bucket: this.bucket, Key: this.key(to), CopySource
    }), abortOption(signal)))
    await this.remove(path, type, signal)
  }

  mkdir (): Promise<void> { return Promise.reject(new Error('S3 has no folders')) }
  chmod (): Promise<void> { return Promise.reject(new Error('S3 has no permission bits')) }
  symlink (): Promise<void> { return Promise.reject(new Error('S3 has no symlinks')) }

  /** Readable (a listing) and writable (a probe object put and deleted) under the prefix. */
  async check (signal: AbortSignal): Promise<void> {
    await this.call('ListObjectsV2', undefined, signal, () => this.client.send(new ListObjectsV2Command({
      Bucket: this.bucket, Prefix: this.prefix, MaxKeys: 1
    }), abortOption(signal)))
    const key = this.key(`.stalk-probe-${randomBytes(6).toString('hex')}`)
    await this.call('PutObject', key, signal, () => this.client.send(new PutObjectCommand({
      Bucket: this.bucket, Key: key, Body: Buffer.from('stalk write check\n')
    }), abortOption(signal)))
    await this.call('DeleteObject', key, signal, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), abortOption(signal)))
  }

  close (): Promise<void> {
    this.client.destroy()
    return Promise.resolve()
  }

  private async head (key: string, signal: AbortSignal): Promise<RemoteVersion | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), abortOption(signal))
      return { size: out.ContentLength ?? 0, etag: bareEtag(out.ETag) }
    } catch (err) {
      signal.throwIfAborted()
      if (isNotFound(err)) return undefined
      throw s3Failure(err, { bucket: this.bucket, key, op: 'HeadObject' })
    }
  }

  private key (path: string): string {
    return `${this.prefix}${path}`
  }

  private async call<T> (op: string, key: string | undefined, signal: AbortSignal, request: () => Promise<T>): Promise<T> {
    return await s3Call({ bucket: this.bucket, op, ...(key === undefined ? {} : { key }) }, signal, request)
  }
}
