/**
 * S3 push targets on the test RGW (servers/s3.ts), with what their tests
 * look at: every object-writing request counted by key, the objects under a
 * prefix as a comparable tree (content hashed, folders implied by keys),
 * and the multipart uploads still open.
 *
 *   const rig = s3TargetRig(t, s3, 'case-1/', { onConflict: 'stop' })
 *   await rig.target.mirror(root, 'all', { signal })
 *   rig.writes       // ["PutObject a.txt", "CreateMultipartUpload big.bin", ...] (keys relative to the prefix)
 *   await s3Tree(s3, rig.prefix)
 */
import { createHash } from 'node:crypto'
import {
  GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, type S3Client
} from '@aws-sdk/client-s3'
import { createS3Target } from '../../backends/s3-target.js'
import type { RemoteTarget } from '../../backends/remote-target.js'
import { createS3Client } from '../../backends/s3-client.js'
import type { TargetConfig } from '../../src/config/types.js'
import { silentLogger, type Logger } from '../../src/logger.js'
import type { S3TestServer } from './servers/s3.js'
import { targetConfig } from './target-config.js'
import type { TeardownOwner } from './tmp.js'
import type { TreeEntry, TreeSnapshot } from './tree-snapshot.js'

export interface S3TargetRig {
  readonly target: RemoteTarget
  /** The key prefix of the mirror, ending in '/'. */
  readonly prefix: string
  /** "Op key" of every PutObject, CreateMultipartUpload, UploadPart, CopyObject, DeleteObject(s) sent. */
  readonly writes: string[]
  readonly config: TargetConfig
}

const WRITES = new Set(['PutObjectCommand', 'CreateMultipartUploadCommand', 'UploadPartCommand', 'CopyObjectCommand',
  'DeleteObjectCommand', 'CompleteMultipartUploadCommand'])

export interface RigOptions extends Partial<Omit<TargetConfig, 'ssh'>> {
  readonly endpoint?: string
  readonly secret?: string
  readonly log?: Logger
}

/** A target mirroring to s3://bucket/<s3.prefix><sub>; closed when t ends. */
export function s3TargetRig (t: TeardownOwner, s3: S3TestServer, sub: string, o: RigOptions = {}): S3TargetRig {
  const { endpoint, secret, log, ...over } = o
  const prefix = `${s3.prefix}${sub}`
  const storeOptions = new Map([
    ['endpoint', endpoint ?? s3.endpoint], ['region', s3.region],
    ['access_key_id', s3.accessKeyId], ['secret_access_key', secret ?? s3.secretAccessKey]
  ])
  const config = targetConfig(`s3://${s3.bucket}/${prefix}`, { storeOptions, ...over })
  const client = createS3Client({
    endpoint: endpoint ?? s3.endpoint, region: s3.region, maxAttempts: 1,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: secret ?? s3.secretAccessKey }
  })
  const writes: string[] = []
  client.middlewareStack.add((next, context) => async args => {
    if (WRITES.has(context.commandName ?? '')) {
      const key = (args.input as { Key?: string }).Key ?? ''
      writes.push(`${(context.commandName ?? '').replace(/Command$/, '')} ${key.slice(prefix.length)}`)
    }
    return await next(args)
  }, { step: 'initialize', name: 'countWrites' })
  const target = createS3Target(config, { log: log ?? silentLogger, client })
  t.teardown(() => target.close())
  return { target, prefix, writes, config }
}

/** Relative key → size and ETag (quotes removed), for every object under `prefix`. */
export async function s3Objects (client: S3Client, bucket: string, prefix: string): Promise<Map<string, { size: number; etag: string }>> {
  const out = new Map<string, { size: number; etag: string }>()
  let token: string | undefined
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token === undefined ? {} : { ContinuationToken: token }) }))
    for (const o of page.Contents ?? []) out.set((o.Key ?? '').slice(prefix.length), { size: o.Size ?? 0, etag: (o.ETag ?? '').replace(/"/g, '') })
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined
  } while (token !== undefined)
  return out
}

/** The objects under `prefix` as a TreeSnapshot: files with size and SHA-256, folders from the keys' paths. */
export async function s3Tree (s3: S3TestServer, prefix: string): Promise<TreeSnapshot> {
  const out: Record<string, TreeEntry> = { '.': { type: 'dir' } }
  for (const key of (await s3Objects(s3.client, s3.bucket, prefix)).keys()) {
    const body = await objectBytes(s3, `${prefix}${key}`)
    out[key] = { type: 'file', size: body.length, sha256: createHash('sha256').update(body).digest('hex') }
    const parts = key.split('/')
    for (let i = 1; i < parts.length; i++) out[parts.slice(0, i).join('/')] = { type: 'dir' }
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
}

export async function objectBytes (s3: S3TestServer, key: string): Promise<Buffer> {
  const out = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))
  return Buffer.from(await out.Body?.transformToByteArray() ?? new Uint8Array())
}

export async function headEtag (s3: S3TestServer, key: string): Promise<string> {
  return ((await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }))).ETag ?? '').replace(/"/g, '')
}

/** Keys of multipart uploads begun and neither completed nor aborted under `prefix`. */
export async function openUploads (s3: S3TestServer, prefix: string): Promise<string[]> {
  const out = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket, Prefix: prefix }))
  return (out.Uploads ?? []).map(u => u.Key ?? '')
}
