/**
 * One S3 "folder": ListObjectsV2 with Delimiter '/' under the folder's
 * prefix, page by page. Keys one level down are files, CommonPrefixes are
 * folders. Each page's entries are yielded before the next page is asked
 * for, so a prefix with 100,000 keys never sits in memory at once: the
 * caller stores what arrives.
 *
 * S3 has no folders, so an empty or missing prefix lists nothing rather
 * than failing; a missing bucket is not-found. A zero-byte "folder marker"
 * object named like the prefix itself (what consoles create) is not an
 * entry of its own folder.
 */
import { ListObjectsV2Command, type ListObjectsV2CommandOutput, type S3Client } from '@aws-sdk/client-s3'
import type { CallOptions, ListEntry } from './backend.js'
import { s3Failure } from './s3-errors.js'

export interface S3ListRequest {
  readonly client: S3Client
  readonly bucket: string
  /** The folder's prefix: '' (the whole bucket) or ending in '/'. */
  readonly dir: string
  /** Keys per page (S3's MaxKeys; default and maximum 1000). */
  readonly pageSize?: number
}

export async function * listS3Folder (r: S3ListRequest, o: CallOptions = {}): AsyncGenerator<ListEntry> {
  let token: string | undefined
  do {
    const page = await listPage(r, token, o.signal)
    yield * entriesOf(page, r.dir)
    // A truncated page without a token would loop forever on the first page.
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined
  } while (token !== undefined)
}

async function listPage (r: S3ListRequest, token: string | undefined, signal: AbortSignal | undefined): Promise<ListObjectsV2CommandOutput> {
  const input = {
    Bucket: r.bucket,
    Delimiter: '/',
    ...(r.dir === '' ? {} : { Prefix: r.dir }),
    ...(token === undefined ? {} : { ContinuationToken: token }),
    ...(r.pageSize === undefined ? {} : { MaxKeys: r.pageSize })
  }
  try {
    return await r.client.send(new ListObjectsV2Command(input), signal === undefined ? {} : { abortSignal: signal })
  } catch (err) {
    signal?.throwIfAborted()
    throw s3Failure(err, { bucket: r.bucket, key: r.dir, op: 'ListObjectsV2' })
  }
}

function * entriesOf (page: ListObjectsV2CommandOutput, dir: string): Generator<ListEntry> {
  for (const p of page.CommonPrefixes ?? []) {
    const prefix = p.Prefix
    if (prefix === undefined || !prefix.startsWith(dir)) continue
    yield { name: prefix.slice(dir.length, -1), type: 'dir', meta: { size: 0, mtimeMs: 0 }, path: prefix }
  }
  for (const c of page.Contents ?? []) {
    const key = c.Key
    if (key === undefined || key === dir || !key.startsWith(dir)) continue
    yield {
      name: key.slice(dir.length),
      type: 'file',
      meta: { size: c.Size ?? 0, mtimeMs: c.LastModified?.getTime() ?? 0, ...(c.ETag === undefined ? {} : { etag: c.ETag }) },
      path: key
    }
  }
}
