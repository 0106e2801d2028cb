// HttpBackend against a real nginx: the shared conformance suite over http
// and over https with the test CA (files under the basic-auth location, so
// the configured Authorization header is exercised on every call), then
// what is particular to HTTP: certificates, redirects, If-Modified-Since,
// error pages that must never become content, and connection pooling.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { HttpBackend } from '../backends/http-backend.js'
import { silentLogger } from '../src/logger.js'
import { backendConformance } from './helpers/backend-conformance.js'
import { rejectsKind } from './helpers/expect-backend-error.js'
import { nginxBackend, putFile, seedFile } from './helpers/http-fixture.js'
import { freePort } from './helpers/servers/free-port.js'
import { nginxUnavailable, startNginx, type NginxServer } from './helpers/servers/nginx.js'
import { tmpDir } from './helpers/tmp.js'

const skip = nginxUnavailable()
const nginx = skip === undefined ? await startNginx(t) : undefined

function conformance (t: Test, n: NginxServer, tls: boolean): Promise<void> {
  const privateDir = join(n.wwwDir, 'private')
  return backendConformance(t, `http backend (nginx, ${tls ? 'https' : 'http'})`, {
    validator: 'etag',
    setup: async t => ({
      backend: nginxBackend(t, n, { tls }),
      pathOf: name => `/private/${encodeURIComponent(name)}`,
      put: (name, data) => putFile(privateDir, name, data),
      remove: name => rm(join(privateDir, name), { force: true })
    }),
    wrongCredentials: async t => nginxBackend(t, n, { tls, auth: 'bad' }),
    unreachable: async () => new HttpBackend({ baseUrl: `http://127.0.0.1:${await freePort()}`, timeoutMs: 5000, log: silentLogger })
  })
}

t.test('nginx', { skip: skip ?? false }, async t => {
  if (nginx === undefined) return
  const n = nginx
  const dir = await tmpDir(t)
  const pub = await seedFile(n.wwwDir, 'pub.bin', 300_000)

  await conformance(t, n, false)
  await conformance(t, n, true)

  await t.test('https without the CA fails with a certificate message', async t => {
    const b = nginxBackend(t, n, { tls: true, trustCa: false })
    await rejectsKind(t, b.stat('/pub.bin'), 'unavailable', /certificate of 127\.0\.0\.1:\d+ not accepted.*self.signed.*ca option/, 'stat')
    await rejectsKind(t, b.fetch('/pub.bin', join(dir, 'no-ca')), 'unavailable', /certificate/, 'fetch')
    t.notOk(existsSync(join(dir, 'no-ca')), 'nothing written')
    await rejectsKind(t, b.check(), 'unavailable', /certificate/, 'check')
  })

  await t.test('redirects are followed, a loop is not', async t => {
    const b = nginxBackend(t, n)
    const r = await b.fetch('/redirect/pub.bin', join(dir, 'redirected'))
    t.equal(r.status, 'fetched')
    t.ok(readFileSync(join(dir, 'redirected')).equals(pub), 'the target\'s bytes')
    t.equal((await b.stat('/redirect/pub.bin'))?.size, pub.length, 'HEAD follows too')
    await rejectsKind(t, b.fetch('/loop', join(dir, 'loop')), 'unavailable', /more than 5 redirects/, 'a loop')
    t.notOk(existsSync(join(dir, 'loop')), 'nothing written')
  })

  await t.test('a redirect to another host gets no Authorization', async t => {
    await putFile(join(n.wwwDir, 'private'), 'p.txt', Buffer.from('private\n'))
    for (const tls of [false, true]) {
      const b = nginxBackend(t, n, { tls })
      t.equal((await b.fetch('/private/p.txt', join(dir, 'p'))).status, 'fetched', 'the site itself accepts the header')
      const r = await b.fetch('/to-localhost/pub.bin', join(dir, 'other'))
      t.equal(r.status, 'fetched', `${tls ? 'https' : 'http'}: another host is reached (one-off connection, same CA)`)
      await rejectsKind(t, b.fetch('/to-localhost/private/p.txt', join(dir, 'p2')), 'forbidden', /401/,
        'the other host was not sent the credentials')
    }
    const log = await readFile(n.accessLog, 'utf8')
    t.match(log, /localhost "GET \/private\/p\.txt HTTP\/1\.1" 401/, 'nginx saw the request to localhost without credentials')
  })

  await t.test('If-Modified-Since (size+mtime validator)', async t => {
    const b = nginxBackend(t, n)
    const meta = await b.stat('/pub.bin')
    if (meta === undefined) { t.fail('stat'); return }
    const dest = join(dir, 'ims')
    writeFileSync(dest, 'sentinel')
    t.same(await b.fetch('/pub.bin', dest, { ifNoneMatch: { size: meta.size, mtimeMs: meta.mtimeMs } }), { status: 'not-modified' })
    t.equal(readFileSync(dest, 'utf8'), 'sentinel', 'dest untouched')
    const older = await b.fetch('/pub.bin', dest, { ifNoneMatch: { size: meta.size, mtimeMs: meta.mtimeMs - 10_000 } })
    t.equal(older.status, 'fetched', 'an older mtime fetches')
    t.ok(readFileSync(dest).equals(pub))
  })

  await t.test('error answers are errors, never content', async t => {
    const b = nginxBackend(t, n)
    const dest = join(dir, 'kept')
    writeFileSync(dest, 'previous copy')
    const e404 = await rejectsKind(t, b.fetch('/no/such/file', dest), 'not-found', /GET http:\/\/127\.0\.0\.1:\d+\/no\/such\/file: 404 Not Found$/, '404')
    t.notMatch(e404?.message ?? '', /<html>/, 'the HTML page is not in the message')
    t.equal(readFileSync(dest, 'utf8'), 'previous copy', 'the 404 page never landed in dest')
    await rejectsKind(t, b.fetch('/error500', join(dir, 'e500')), 'unavailable', /500 Internal Server Error/, '500')
    t.notOk(existsSync(join(dir, 'e500')), 'nothing written for a 500')
  })

  await t.test('connections are pooled across files', async t => {
    const b = nginxBackend(t, n)
    const before = (await readFile(n.accessLog, 'utf8')).split('\n').length - 1
    for (const name of ['pub.bin', 'redirect/pub.bin', 'pub.bin']) await b.fetch(`/${name}`, join(dir, 'pooled'))
    await b.stat('/pub.bin')
    const lines = (await readFile(n.accessLog, 'utf8')).split('\n').slice(before, -1)
    t.equal(lines.length, 5, 'five requests (one was a redirect)')
    t.equal(new Set(lines.map(l => l.split(' ')[0])).size, 1, `one connection served them all:\n${lines.join('\n')}`)
  })
})
