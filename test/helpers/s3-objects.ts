/**
 * Seeding and removing objects on the test S3 server (servers/s3.ts), and
 * S3Backends pointed at it, for the S3 backend's tests.
 *
 *   await putObject(s3, key, data)                   // PutObject with a Buffer body
 *   await multipartUpload(s3, key, [part1, part2])   // each part but the last >= 5 MiB
 *   const b = s3Backend(t, s3, { bucket: 'other' })  // closed when t ends
 */
import {
  CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand, PutObjectCommand, UploadPartCommand
} from '@aws-sdk/client-s3'
import { S3Backend, type S3BackendOptions } from '../../backends/s3-backend.js'
import { silentLogger } from '../../src/logger.js'
import type { S3TestServer } from './servers/s3.js'
import type { TeardownOwner } from './tmp.js'

export async function putObject (s3: S3TestServer, key: string, data: Buffer): Promise<void> {
  await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: data }))
}

export async function removeObject (s3: S3TestServer, key: string): Promise<void> {
  await s3.client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: key }))
}

/** Uploads `parts` as one multipart object; lib-storage is not a dependency, so the three calls by hand. */
export async function multipartUpload (s3: S3TestServer, key: string, parts: readonly Buffer[]): Promise<void> {
  const { UploadId } = await s3.client.send(new CreateMultipartUploadCommand({ Bucket: s3.bucket, Key: key }))
  if (UploadId === undefined) throw new Error('CreateMultipartUpload gave no UploadId')
  const done: Array<{ ETag: string; PartNumber: number }> = []
  for (const [i, body] of parts.entries()) {
    const { ETag } = await s3.client.send(new UploadPartCommand({
      Bucket: s3.bucket, Key: key, UploadId, PartNumber: i + 1, Body: body
    }))
    if (ETag === undefined) throw new Error(`UploadPart ${i + 1} gave no ETag`)
    done.push({ ETag, PartNumber: i + 1 })
  }
  await s3.client.send(new CompleteMultipartUploadCommand({
    Bucket: s3.bucket, Key: key, UploadId, MultipartUpload: { Parts: done }
  }))
}

/** The settings that reach the test server with its user; `over` replaces any of them. */
export function s3Settings (s3: S3TestServer, over: Partial<S3BackendOptions> = {}): S3BackendOptions {
  return {
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    log: silentLogger,
    ...over
  }
}

export function s3Backend (t: TeardownOwner, s3: S3TestServer, over: Partial<S3BackendOptions> = {}): S3Backend {
  const b = new S3Backend(s3Settings(s3, over))
  t.teardown(() => b.close())
  return b
}
