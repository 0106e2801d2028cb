#!/usr/bin/env node
// The S3 side of bench/pull.sh, with the AWS SDK stalk itself uses
// (@aws-sdk/client-s3 from this checkout's node_modules):
//
//   node bench/s3-object.mjs put ENDPOINT BUCKET KEY FILE   # create the bucket, upload FILE
//   node bench/s3-object.mjs get ENDPOINT BUCKET KEY FILE   # GetObject streamed into FILE
//
// Credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. `get` prints
// {"get_s": …, "bytes": …}: the time from creating the client to the file
// being closed (connect, request, body to disk), measured in-process so that
// Node's start and the SDK's import (~0.3 s, paid once by a daemon) are not
// counted; a new client, so no connection is reused.
import { createWriteStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'

const [op, endpoint, Bucket, Key, file] = process.argv.slice(2)
if (!['put', 'get'].includes(op) || !endpoint || !Bucket || !Key || !file) {
  console.error('usage: node bench/s3-object.mjs put|get ENDPOINT BUCKET KEY FILE')
  process.exit(2)
}
const client = () => new S3Client({
  endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  // Ceph RGW rejects the SDK's default streamed checksums (TEST-SERVERS.md); stalk uses these too.
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
  maxAttempts: 1
})

if (op === 'put') {
  const s3 = client()
  try {
    await s3.send(new CreateBucketCommand({ Bucket }))
  } catch (err) {
    if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes(err?.name)) throw err
  }
  const body = await readFile(file)
  await s3.send(new PutObjectCommand({ Bucket, Key, Body: body, ContentLength: body.length }))
  s3.destroy()
} else {
  const t0 = process.hrtime.bigint()
  const s3 = client()
  const out = await s3.send(new GetObjectCommand({ Bucket, Key }))
  const dest = createWriteStream(file)
  await pipeline(out.Body, dest)
  const s = Number(process.hrtime.bigint() - t0) / 1e9
  s3.destroy()
  console.log(JSON.stringify({ get_s: Number(s.toFixed(4)), bytes: dest.bytesWritten }))
}
