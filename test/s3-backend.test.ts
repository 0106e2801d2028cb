// The S3 pull backend against a real Ceph RGW: the conformance suite every
// origin passes, then what is particular to S3: If-Modified-Since
// revalidation, multipart objects (whose etag is not an md5), keys that need
// encoding, and ranged reads.
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { join } from 'node:path'
import t from 'tap'
import { S3Backend } from '../backends/s3-backend.js'
import { backendConformance } from './helpers/backend-conformance.js'
import { multipartUpload, putObject, removeObject, s3Backend, s3Settings } from './helpers/s3-objects.js'
import { freePort } from './helpers/servers/free-port.js'
import { s3Server, s3Unavailable } from './helpers/servers/s3.js'
import { tmpDir } from './helpers/tmp.js'

const skip = s3Unavailable()
const s3 = skip === undefined ? await s3Server(t) : undefined
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

t.test('S3 backend on Ceph RGW', { skip: skip ?? false }, async t => {
  if (s3 === undefined) return
  const key = (name: string): string => `${s3.prefix}${name}`

  await backendConformance(t, 's3 (Ceph RGW)', {
    setup: async () => ({
      backend: new S3Backend(s3Settings(s3)),
      pathOf: name => key(`conformance/${name}`),
      put: (name, data) => putObject(s3, key(`conformance/${name}`), data),
      remove: name => removeObject(s3, key(`conformance/${name}`))
    }),
    validator: 'etag',
    unreachable: async () => new S3Backend(s3Settings(s3, { endpoint: `http://127.0.0.1:${await freePort()}` })),
    wrongCredentials: async () => new S3Backend(s3Settings(s3, {
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: 'not-the-secret' }
    }))
  })

  await t.test('size+mtime revalidates with If-Modified-Since', async t => {
    const b = s3Backend(t, s3)
    const dest = join(await tmpDir(t), 'ims')
    await putObject(s3, key('ims.txt'), Buffer.from('first\n'))
    const first = await b.fetch(key('ims.txt'), dest)
    if (first.status !== 'fetched') { t.fail('first fetch'); return }
    const byDate = { size: first.meta.size, mtimeMs: first.meta.mtimeMs }
    t.same(await b.fetch(key('ims.txt'), dest, { ifNoneMatch: byDate }), { status: 'not-modified' }, 'unchanged: 304')
    // LastModified has whole seconds: a rewrite in the same second would look unchanged.
    await sleep(1100)
    await putObject(s3, key('ims.txt'), Buffer.from('second, longer\n'))
    const again = await b.fetch(key('ims.txt'), dest, { ifNoneMatch: byDate })
    t.equal(again.status, 'fetched', 'rewritten later: fetched')
    t.equal(readFileSync(dest, 'utf8'), 'second, longer\n')
  })

  await t.test('a multipart object fetches byte-exact and revalidates by its etag', async t => {
    const b = s3Backend(t, s3)
    const MiB = 1024 * 1024
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(4321)]
    const whole = Buffer.concat(parts)
    await multipartUpload(s3, key('multi.bin'), parts)
    const meta = await b.stat(key('multi.bin'))
    t.equal(meta?.size, whole.length, 'size of all parts')
    t.match(meta?.etag, /^"[0-9a-f]{32}-3"$/, 'a multipart etag, quotes kept')
    const dest = join(await tmpDir(t), 'multi')
    const r = await b.fetch(key('multi.bin'), dest)
    t.equal(sha(readFileSync(dest)), sha(whole), 'content')
    if (r.status !== 'fetched' || meta?.etag === undefined) { t.fail('fetched with an etag'); return }
    t.equal(r.meta.etag, meta.etag, 'GetObject and HeadObject agree on the etag')
    writeFileSync(dest, 'sentinel')
    t.same(await b.fetch(key('multi.bin'), dest, { ifNoneMatch: { etag: meta.etag } }), { status: 'not-modified' })
    t.equal(readFileSync(dest, 'utf8'), 'sentinel', 'left alone')
  })

  await t.test('keys with spaces, unicode, slashes and URL characters', async t => {
    const b = s3Backend(t, s3)
    const dir = await tmpDir(t)
    const names = ['dir one/sub dir/ä ö ü 😀.txt', 'q/a+b=c&d.txt', 'q/100% #1?.txt', 'q/double//slash']
    for (const [i, name] of names.entries()) {
      const body = Buffer.from(`object ${i}: ${name}\n`)
      await putObject(s3, key(name), body)
      t.equal((await b.stat(key(name)))?.size, body.length, `stat ${name}`)
      await b.fetch(key(name), join(dir, String(i)))
      t.equal(readFileSync(join(dir, String(i)), 'utf8'), body.toString(), `fetch ${name}`)
    }
    t.equal(await b.stat(key('q/100% #1')), undefined, 'a prefix of such a key is not it')
  })

  await t.test('readRange returns exactly the bytes asked for', async t => {
    const b = s3Backend(t, s3)
    const data = randomBytes(100_000)
    await putObject(s3, key('range.bin'), data)
    t.same(await b.readRange(key('range.bin'), 1000, 1000), data.subarray(1000, 2000), 'middle')
    t.same(await b.readRange(key('range.bin'), 0, 1), data.subarray(0, 1), 'first byte')
    t.same(await b.readRange(key('range.bin'), 99_990, 100), data.subarray(99_990), 'short at the end')
    t.equal((await b.readRange(key('range.bin'), 100_000, 10)).length, 0, 'at the end: nothing')
    t.equal((await b.readRange(key('range.bin'), 500_000, 10)).length, 0, 'past the end: nothing')
    t.equal((await b.readRange(key('range.bin'), 5, 0)).length, 0, 'zero length')
    await t.rejects(b.readRange(key('no-such-range.bin'), 0, 10), { name: 'BackendError', code: 'ENOENT' }, 'missing object')
  })
})
