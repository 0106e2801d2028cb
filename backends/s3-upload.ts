/**
 * Puts one local file into S3: a single PutObject below MULTIPART_THRESHOLD,
 * a multipart upload of PART_SIZE parts at or above it. An object appears
 * under its key only when complete (S3 makes a multipart object visible at
 * CompleteMultipartUpload), so a reader never sees half a file.
 *
 * Bodies are Buffers read from the file just before their request: the SDK
 * can then retry a request (a stream can be sent only once) and send
 * Content-MD5, which makes the server check every body. Memory stays
 * bounded: each body is read inside a slot of `bodies`, the target's queue
 * of upload_concurrency slots, so at most that many bodies (each at most
 * MULTIPART_THRESHOLD) are held at once, whatever the number of files.
 *
 * A multipart upload that fails or is aborted is cancelled with
 * AbortMultipartUpload, so no parts are left behind to be billed.
 * A file that changes while it is read throws LocalChanged.
 */
import { createHash } from 'node:crypto'
import { open, type FileHandle } from 'node:fs/promises'
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, PutObjectCommand,
  UploadPartCommand, type CompletedPart, type S3Client
} from '@aws-sdk/client-s3'
import type PQueue from 'p-queue'
import { describe } from '../src/errors.js'
import type { Logger } from '../src/logger.js'
import { LocalChanged, isLocalMissing, type LocalFile } from './remote-store.js'
import { abortOption, s3Call } from './s3-call.js'
import { bareEtag } from './s3-etag.js'

export const MULTIPART_THRESHOLD = 16 * 1024 * 1024
export const PART_SIZE = 8 * 1024 * 1024
const ABORT_UPLOAD_MS = 30_000

export interface S3UploadContext {
  readonly client: S3Client
  readonly bucket: string
  readonly bodies: PQueue
  readonly log: Logger
}

/** Uploads `file` to `key`; the ETag the server answered with ('' when it gave none, as RGW for multipart). */
export async function uploadFile (c: S3UploadContext, key: string, file: LocalFile, signal: AbortSignal): Promise<string> {
  let fh: FileHandle
  try {
    fh = await open(file.abs, 'r')
  } catch (err) {
    if (isLocalMissing(err, file.abs)) throw new LocalChanged(`${file.abs} was removed`, { cause: err })
    throw err
  }
  try {
    return file.size < MULTIPART_THRESHOLD
      ? await putSingle(c, key, fh, file, signal)
      : await putMultipart(c, key, fh, file, signal)
  } finally {
    await fh.close()
  }
}

async function putSingle (c: S3UploadContext, key: string, fh: FileHandle, file: LocalFile, signal: AbortSignal): Promise<string> {
  return await c.bodies.add(async () => {
    signal.throwIfAborted()
    const body = await readSlice(fh, file, 0, file.size)
    await assertUnchanged(fh, file)
    const out = await s3Call({ bucket: c.bucket, key, op: 'PutObject' }, signal, () => c.client.send(new PutObjectCommand({
      Bucket: c.bucket, Key: key, Body: body, ContentLength: body.length, ContentMD5: md5(body)
    }), abortOption(signal)))
    return bareEtag(out.ETag)
  })
}

async function putMultipart (c: S3UploadContext, key: string, fh: FileHandle, file: LocalFile, signal: AbortSignal): Promise<string> {
  const created = await s3Call({ bucket: c.bucket, key, op: 'CreateMultipartUpload' }, signal, () =>
    c.client.send(new CreateMultipartUploadCommand({ Bucket: c.bucket, Key: key }), abortOption(signal)))
  const uploadId = created.UploadId
  if (uploadId === undefined) throw new Error(`CreateMultipartUpload s3://${c.bucket}/${key}: no UploadId in the answer`)
  const stop = new AbortController()
  const partSignal = AbortSignal.any([signal, stop.signal])
  try {
    const count = Math.ceil(file.size / PART_SIZE)
    // Not p-queue's signal: it would settle a part's promise at the abort while its request still runs.
    const jobs = Array.from({ length: count }, (_, i) => c.bodies.add(() => putPart(c, key, uploadId, fh, file, i + 1, partSignal)))
    // The first failure stops the other parts; all must have settled before the upload is aborted.
    jobs.forEach(j => { j.catch((err: unknown) => { stop.abort(err) }) })
    const settled = await Promise.allSettled(jobs)
    const failed = settled.find(s => s.status === 'rejected')
    if (failed !== undefined) throw failed.reason
    await assertUnchanged(fh, file)
    const Parts = settled.map(s => (s as PromiseFulfilledResult<CompletedPart>).value)
    const done = await s3Call({ bucket: c.bucket, key, op: 'CompleteMultipartUpload' }, signal, () => c.client.send(
      new CompleteMultipartUploadCommand({ Bucket: c.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts } }),
      abortOption(signal)))
    return bareEtag(done.ETag)
  } catch (err) {
    await abortUpload(c, key, uploadId)
    throw signal.aborted ? signal.reason : err
  }
}

async function putPart (c: S3UploadContext, key: string, uploadId: string, fh: FileHandle, file: LocalFile,
  n: number, signal: AbortSignal): Promise<CompletedPart> {
  signal.throwIfAborted()
  const offset = (n - 1) * PART_SIZE
  const body = await readSlice(fh, file, offset, Math.min(PART_SIZE, file.size - offset))
  const out = await s3Call({ bucket: c.bucket, key, op: `UploadPart ${n}` }, signal, () => c.client.send(new UploadPartCommand({
    Bucket: c.bucket, Key: key, UploadId: uploadId, PartNumber: n, Body: body, ContentLength: body.length, ContentMD5: md5(body)
  }), abortOption(signal)))
  return { PartNumber: n, ETag: out.ETag ?? '' }
}

/** With its own time limit: the mirror's signal may be the very reason for aborting. */
async function abortUpload (c: S3UploadContext, key: string, uploadId: string): Promise<void> {
  try {
    await c.client.send(new AbortMultipartUploadCommand({ Bucket: c.bucket, Key: key, UploadId: uploadId }),
      abortOption(AbortSignal.timeout(ABORT_UPLOAD_MS)))
    c.log.debug({ key, uploadId }, 's3: multipart upload aborted')
  } catch (err) {
    c.log.warn({ key, uploadId, err: describe(err) },
      'AbortMultipartUpload failed: its parts stay stored until a lifecycle rule or a later abort removes them')
  }
}

async function readSlice (fh: FileHandle, file: LocalFile, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length)
  let got = 0
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, offset + got)
    if (bytesRead === 0) throw new LocalChanged(`${file.abs} shrank while it was read`)
    got += bytesRead
  }
  return buf
}

async function assertUnchanged (fh: FileHandle, file: LocalFile): Promise<void> {
  const st = await fh.stat({ bigint: true })
  if (Number(st.size) !== file.size || Number(st.mtimeNs / 1_000_000n) !== file.mtimeMs) {
    throw new LocalChanged(`${file.abs} changed while it was read`)
  }
}

function md5 (b: Buffer): string {
  return createHash('md5').update(b).digest('base64')
}
