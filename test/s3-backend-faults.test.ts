// Faults a real RGW will not produce on demand, from a fake S3 endpoint: a
// body cut short, a download that stalls, a transient 503, and what the
// backend puts on the wire for a conditional GET, a server that ignores Range.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { S3Backend, type S3BackendOptions } from '../backends/s3-backend.js'
import { BackendError } from '../src/errors.js'
import { silentLogger } from '../src/logger.js'
import { FAKE_S3_SETTINGS, fakeS3, objectHeaders } from './helpers/fake-s3.js'
import { tmpDir } from './helpers/tmp.js'

function backend (t: Test, url: string, over: Partial<S3BackendOptions> = {}): S3Backend {
  const b = new S3Backend({ bucket: 'b', endpoint: url, ...FAKE_S3_SETTINGS, log: silentLogger, ...over })
  t.teardown(() => b.close())
  return b
}

async function kindOf (p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'resolved'
  } catch (err) {
    return err instanceof BackendError ? err.kind : `not a BackendError: ${String(err)}`
  }
}

t.test('a body cut short is unavailable, never a short file taken as whole', async t => {
  const s3 = await fakeS3(t, (_req, res) => {
    res.writeHead(200, objectHeaders(1000))
    res.write(Buffer.alloc(400, 1))
    setTimeout(() => { res.socket?.destroy() }, 20)
  })
  t.equal(await kindOf(backend(t, s3.url, { maxAttempts: 1 }).fetch('k', join(await tmpDir(t), 'f'))), 'unavailable')
})

t.test('a download that stalls halfway ends as a timeout', async t => {
  const s3 = await fakeS3(t, (_req, res) => {
    res.writeHead(200, objectHeaders(1000))
    res.write(Buffer.alloc(400, 1))
  })
  const b = backend(t, s3.url, { maxAttempts: 1, timeouts: { idleMs: 300 } })
  t.equal(await kindOf(b.fetch('k', join(await tmpDir(t), 'f'))), 'timeout')
})

t.test('a transient 503 SlowDown is retried', async t => {
  const s3 = await fakeS3(t, (_req, res, n) => {
    if (n === 1) {
      res.writeHead(503, { 'Content-Type': 'application/xml' })
      res.end('<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>')
      return
    }
    res.writeHead(200, objectHeaders(3)).end('abc')
  })
  const dest = join(await tmpDir(t), 'f')
  const r = await backend(t, s3.url).fetch('k', dest)
  t.equal(r.status, 'fetched')
  t.equal(readFileSync(dest, 'utf8'), 'abc')
  t.equal(s3.requests.length, 2, 'one retry')
  const once = await fakeS3(t, (_req, res) => { res.writeHead(503).end() })
  t.equal(await kindOf(backend(t, once.url, { maxAttempts: 1 }).stat('k')), 'unavailable', 'a lasting 503: unavailable')
})

t.test('conditional GET headers: the etag as stored, quotes kept; the date in HTTP form', async t => {
  const seen: Array<Record<string, string | string[] | undefined>> = []
  const s3 = await fakeS3(t, (req, res) => { seen.push(req.headers); res.writeHead(304).end() })
  const b = backend(t, s3.url)
  const dest = join(await tmpDir(t), 'f')
  t.same(await b.fetch('dir/k', dest, { ifNoneMatch: { etag: '"0123-2"' } }), { status: 'not-modified' })
  t.same(await b.fetch('dir/k', dest, { ifNoneMatch: { size: 3, mtimeMs: Date.UTC(2024, 0, 2, 3, 4, 5, 678) } }),
    { status: 'not-modified' })
  t.equal(seen[0]?.['if-none-match'], '"0123-2"')
  t.equal(seen[1]?.['if-modified-since'], 'Tue, 02 Jan 2024 03:04:05 GMT')
  t.equal(s3.requests[0], 'GET /b/dir/k?x-id=GetObject', 'path style with an endpoint')
})

t.test('readRange from a server that ignores Range still returns exactly the range', async t => {
  const body = Buffer.from('0123456789abcdefghij')
  const s3 = await fakeS3(t, (_req, res) => { res.writeHead(200, objectHeaders(body.length)).end(body) })
  const b = backend(t, s3.url)
  t.equal((await b.readRange('k', 10, 5)).toString(), 'abcde')
  t.equal((await b.readRange('k', 18, 5)).toString(), 'ij', 'short at the end')
})
