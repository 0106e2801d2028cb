// HttpBackend against a real nginx, beyond whole-file fetches: range reads
// (exact bytes, clipped at the end of the file, refused past it), an abort
// in the middle of a slow download, and the preflight check.
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { HttpBackend } from '../backends/http-backend.js'
import { silentLogger } from '../src/logger.js'
import { rejectsKind } from './helpers/expect-backend-error.js'
import { nginxBackend, putFile, seedFile } from './helpers/http-fixture.js'
import { freePort } from './helpers/servers/free-port.js'
import { nginxUnavailable, startNginx } from './helpers/servers/nginx.js'
import { tmpDir } from './helpers/tmp.js'

const skip = nginxUnavailable()
const nginx = skip === undefined ? await startNginx(t) : undefined

t.test('nginx', { skip: skip ?? false }, async t => {
  if (nginx === undefined) return
  const n = nginx
  const dir = await tmpDir(t)
  const data = await seedFile(n.wwwDir, 'data.bin', 1_000_003)

  await t.test('readRange returns exactly the bytes asked for', async t => {
    const b = nginxBackend(t, n, { tls: true })
    for (const [offset, length] of [[0, 1], [0, 65_536], [123_457, 300_001], [999_000, 1003]] as const) {
      const got = await b.readRange('/data.bin', offset, length)
      t.ok(got.equals(data.subarray(offset, offset + length)), `bytes ${offset}+${length}`)
    }
    const tail = await b.readRange('/data.bin', 1_000_000, 100)
    t.ok(tail.equals(data.subarray(1_000_000)), 'a range over the end is clipped to the file (3 bytes)')
    t.equal((await b.readRange('/data.bin', 5, 0)).length, 0, 'length 0: no request, no bytes')
    t.ok((await b.readRange('/redirect/data.bin', 10, 10)).equals(data.subarray(10, 20)), 'through a redirect')
  })

  await t.test('readRange refusals', async t => {
    const b = nginxBackend(t, n)
    await rejectsKind(t, b.readRange('/data.bin', 1_000_003, 10), 'invalid', /416 .*past the end of the file of 1000003 bytes/, 'at EOF')
    await rejectsKind(t, b.readRange('/data.bin', 5_000_000, 10), 'invalid', /416/, 'far past EOF')
    await rejectsKind(t, b.readRange('/nope.bin', 0, 10), 'not-found', /404/, 'a missing file')
    await rejectsKind(t, b.readRange('/data.bin', -1, 10), 'invalid', /whole numbers/, 'a negative offset')
    await rejectsKind(t, b.readRange('/data.bin', 0, 1.5), 'invalid', /whole numbers/, 'a fractional length')
    await rejectsKind(t, b.readRange('/error500', 0, 10), 'unavailable', /500/, 'a 500')
  })

  await t.test('an abort in the middle of a slow download', async t => {
    const b = nginxBackend(t, n)
    const dest = join(dir, 'slow.out')
    const ac = new AbortController()
    const p = b.fetch('/slow/data.bin', dest, { signal: ac.signal })
    // nginx sends 200 KiB/s, so 1 MB takes 5 s: wait until the body has begun to arrive.
    for (let i = 0; i < 200 && !(existsSync(dest) && statSync(dest).size > 0); i++) await sleep(20)
    t.ok(existsSync(dest) && statSync(dest).size > 0 && statSync(dest).size < data.length, 'the download was under way')
    const aborted = Date.now()
    ac.abort()
    const err = await p.then(() => undefined, (e: unknown) => e)
    t.equal((err as Error | undefined)?.name, 'AbortError', 'rejects with the abort, not a BackendError')
    t.ok(Date.now() - aborted < 2000, 'promptly')
    t.notOk(existsSync(dest), 'the partial file is removed')
    t.equal((await b.fetch('/data.bin', join(dir, 'after'))).status, 'fetched', 'the backend still works')
  })

  await t.test('an abort before the call is a rejection without a request', async t => {
    const b = nginxBackend(t, n)
    const err = await b.stat('/data.bin', { signal: AbortSignal.abort() }).then(() => undefined, (e: unknown) => e)
    t.equal((err as Error | undefined)?.name, 'AbortError')
  })

  await t.test('check', async t => {
    await putFile(join(n.wwwDir, 'private'), 'c.txt', Buffer.from('c'))
    await nginxBackend(t, n).check()
    t.pass('the site root answers')
    await nginxBackend(t, n, { tls: true }).check({ path: '/private/c.txt' })
    t.pass('a path with credentials')
    await rejectsKind(t, nginxBackend(t, n, { auth: 'bad' }).check({ path: '/private/' }), 'forbidden', /401 Unauthorized/, 'wrong password')
    await rejectsKind(t, nginxBackend(t, n).check({ path: '/nope' }), 'not-found', /404/, 'a missing path')
    await rejectsKind(t, nginxBackend(t, n).check({ path: '/error500' }), 'unavailable', /500/, 'a 500')
    const down = new HttpBackend({ baseUrl: `http://127.0.0.1:${await freePort()}`, timeoutMs: 5000, log: silentLogger })
    t.teardown(() => down.close())
    await rejectsKind(t, down.check(), 'unavailable', /connection refused/, 'nobody listening')
  })
})
