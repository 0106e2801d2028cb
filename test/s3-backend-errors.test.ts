// How the S3 backend fails against a real Ceph RGW: each failure has the
// right kind and a message with the real reason (never the secret), check()
// tells the three preflight failures apart, and the checksum option exists
// because RGW refuses the SDK's default way of uploading stream bodies.
import { randomBytes } from 'node:crypto'
import { createServer, type Socket } from 'node:net'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import t, { type Test } from 'tap'
import { createS3Client, type S3ChecksumMode } from '../backends/s3-client.js'
import { BackendError } from '../src/errors.js'
import { silentLogger } from '../src/logger.js'
import { putObject, s3Backend } from './helpers/s3-objects.js'
import { freePort } from './helpers/servers/free-port.js'
import { s3Server, s3Unavailable, type S3TestServer } from './helpers/servers/s3.js'
import { tmpDir } from './helpers/tmp.js'

const skip = s3Unavailable()
const s3 = skip === undefined ? await s3Server(t) : undefined
const WRONG_SECRET = 'wrong-secret-5f2a9c'

async function failure (p: Promise<unknown>): Promise<BackendError> {
  try {
    await p
  } catch (err) {
    if (err instanceof BackendError) return err
    throw err
  }
  throw new Error('expected a BackendError, it resolved')
}

t.test('S3 backend failures on Ceph RGW', { skip: skip ?? false }, async t => {
  if (s3 === undefined) return
  const missingBucket = `stalk-missing-${randomBytes(4).toString('hex')}`

  await t.test('a missing bucket is not-found and the message names it', async t => {
    const b = s3Backend(t, s3, { bucket: missingBucket })
    const e = await failure(b.fetch('some/key', join(await tmpDir(t), 'x')))
    t.equal(e.kind, 'not-found')
    t.match(e.message, `bucket "${missingBucket}" does not exist`)
    t.match(e.message, 'NoSuchBucket')
    t.equal(await b.stat('some/key'), undefined, 'stat: a HEAD only says 404, so the file is missing')
  })

  await t.test('check(): ok, wrong secret, unknown key id, missing bucket, closed port', async t => {
    await s3Backend(t, s3).check()
    t.pass('the right credentials and an existing bucket pass')
    const badSecret = await failure(s3Backend(t, s3, { credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: WRONG_SECRET } }).check())
    t.equal(badSecret.kind, 'forbidden')
    t.match(badSecret.message, 'SignatureDoesNotMatch')
    t.notMatch(badSecret.message, WRONG_SECRET, 'the secret is not in the message')
    const badId = await failure(s3Backend(t, s3, { credentials: { accessKeyId: 'NOSUCHKEYID', secretAccessKey: s3.secretAccessKey } }).check())
    t.equal(badId.kind, 'forbidden')
    t.match(badId.message, 'InvalidAccessKeyId')
    const noBucket = await failure(s3Backend(t, s3, { bucket: missingBucket }).check())
    t.equal(noBucket.kind, 'not-found')
    t.match(noBucket.message, `bucket "${missingBucket}" does not exist`)
    const down = await failure(s3Backend(t, s3, { endpoint: `http://127.0.0.1:${await freePort()}` }).check())
    t.equal(down.kind, 'unavailable')
    t.match(down.message, 'ECONNREFUSED')
  })

  await t.test('wrong credentials on stat and fetch: forbidden with the code', async t => {
    const b = s3Backend(t, s3, { credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: WRONG_SECRET } })
    await putObject(s3, `${s3.prefix}denied.txt`, Buffer.from('x'))
    const onGet = await failure(b.fetch(`${s3.prefix}denied.txt`, join(await tmpDir(t), 'd')))
    t.equal(onGet.kind, 'forbidden')
    t.match(onGet.message, /SignatureDoesNotMatch/)
    t.notMatch(onGet.message, WRONG_SECRET)
    const onHead = await failure(b.stat(`${s3.prefix}denied.txt`))
    t.equal(onHead.kind, 'forbidden', 'HEAD has no error body, the status still says forbidden')
  })

  await t.test('a server that accepts and never answers: timeout', async t => {
    const port = await silentServer(t)
    const b = s3Backend(t, s3, { endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1, timeouts: { headersMs: 500 } })
    const e = await failure(b.stat('k'))
    t.equal(e.kind, 'timeout')
  })

  await t.test('checksums: RGW refuses the SDK default for stream bodies, when_required works', async t => {
    const data = randomBytes(300_000)
    const putStream = async (mode: S3ChecksumMode, key: string): Promise<void> => {
      const client = clientWith(s3, mode)
      try {
        await client.send(new PutObjectCommand({
          Bucket: s3.bucket, Key: key, Body: Readable.from([data]), ContentLength: data.length
        }))
      } finally {
        client.destroy()
      }
    }
    await t.rejects(putStream('when_supported', `${s3.prefix}cksum-default.bin`), { name: 'MissingContentLength' },
      'when_supported: aws-chunked upload refused')
    await putStream('when_required', `${s3.prefix}cksum-required.bin`)
    const client = clientWith(s3, 'when_required')
    t.teardown(() => { client.destroy() })
    const back = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `${s3.prefix}cksum-required.bin` }))
    t.same(Buffer.from(await back.Body?.transformToByteArray() ?? []), data, 'when_required: stored byte-exact')
  })
})

function clientWith (s3: S3TestServer, checksums: S3ChecksumMode): ReturnType<typeof createS3Client> {
  return createS3Client({
    endpoint: s3.endpoint, region: s3.region, maxAttempts: 1, checksums,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }
  }, silentLogger)
}

/** A TCP server that accepts connections and never says a word. */
async function silentServer (t: Test): Promise<number> {
  const sockets = new Set<Socket>()
  const srv = createServer(s => { sockets.add(s) })
  const port = await freePort()
  await new Promise<void>(resolve => srv.listen(port, '127.0.0.1', resolve))
  t.teardown(() => { for (const s of sockets) s.destroy(); srv.close() })
  return port
}
