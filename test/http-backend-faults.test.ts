// HttpBackend against a server that misbehaves (helpers/servers/faulty-http.ts):
// short bodies, silence, missing headers, odd statuses, a dropped keep-alive
// connection; plus constructor refusals, and secrets kept out of messages and logs.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { HttpBackend, type HttpBackendOptions } from '../backends/http-backend.js'
import { BackendError } from '../src/errors.js'
import { silentLogger } from '../src/logger.js'
import { rejectsKind } from './helpers/expect-backend-error.js'
import { recordingLogger } from './helpers/recording-logger.js'
import { TEXT_ERROR, startFaultyHttp } from './helpers/servers/faulty-http.js'
import { tmpDir } from './helpers/tmp.js'

const SECRET = 'Bearer very-secret-token'
const baseUrl = await startFaultyHttp(t)
const dir = await tmpDir(t)

function backend (o: Partial<HttpBackendOptions> = {}): HttpBackend {
  const b = new HttpBackend({ baseUrl, timeoutMs: 10_000, log: silentLogger, headers: { Authorization: SECRET }, ...o })
  t.teardown(() => b.close())
  return b
}

t.test('a body shorter than its Content-Length is an error, and leaves no file', async t => {
  const dest = join(dir, 'short')
  await rejectsKind(t, backend().fetch('/short', dest), 'unavailable', /the connection closed after 100 of 1000 bytes/)
  t.notOk(existsSync(dest), 'no short file left behind')
})

t.test('silence: no headers, or a body that stops, times out', async t => {
  const b = backend({ timeoutMs: 400 })
  await rejectsKind(t, b.fetch('/hang', join(dir, 'hang')), 'timeout', /GET http:\/\/127\.0\.0\.1:\d+\/hang: no data from the server for 400 ms/, 'no headers')
  await rejectsKind(t, b.stat('/hang'), 'timeout', /HEAD/, 'stat')
  const dest = join(dir, 'stall')
  await rejectsKind(t, b.fetch('/stall', dest), 'timeout', /no data from the server for 400 ms/, 'a stalled body')
  t.notOk(existsSync(dest), 'the partial file is removed')
})

t.test('no Last-Modified: the time of the answer; no ETag: none', async t => {
  const before = Date.now()
  const r = await backend().fetch('/plain', join(dir, 'plain'))
  const after = Date.now()
  if (r.status !== 'fetched') { t.fail('fetched'); return }
  t.equal(r.meta.size, 11)
  t.ok(r.meta.mtimeMs >= before && r.meta.mtimeMs <= after, 'mtime is the fetch time')
  t.equal(r.meta.etag, undefined)
  t.equal((await backend().stat('/plain'))?.etag, undefined, 'stat agrees')
})

t.test('no Content-Length: a fetch counts the bytes, a stat cannot know the size', async t => {
  const r = await backend().fetch('/chunked', join(dir, 'chunked'))
  t.same(r.status === 'fetched' ? r.meta.size : -1, 19)
  t.equal(readFileSync(join(dir, 'chunked'), 'utf8'), 'part one, part two\n')
  await rejectsKind(t, backend().stat('/chunked'), 'invalid', /no Content-Length/)
})

t.test('a server that ignores Range is refused, not sliced', async t => {
  await rejectsKind(t, backend().readRange('/plain', 2, 3), 'invalid', /ignores Range requests/)
})

t.test('statuses and their kinds', async t => {
  const b = backend()
  const cases = [[418, 'invalid'], [400, 'invalid'], [408, 'timeout'], [429, 'unavailable'], [502, 'unavailable'],
    [410, 'not-found'], [403, 'forbidden'], [304, 'invalid'], [300, 'invalid']] as const
  for (const [code, kind] of cases) await rejectsKind(t, b.fetch(`/status?code=${code}`, join(dir, 's')), kind, new RegExp(` ${code} `), `${code}`)
  t.equal(await b.stat('/status?code=410'), undefined, 'stat: 410 means gone')
  await rejectsKind(t, b.fetch('/status?code=302', join(dir, 's')), 'invalid', /redirect to a ftp: URL/, 'a redirect to ftp:')
  t.notOk(existsSync(join(dir, 's')), 'no answer was saved')
})

t.test('an error message carries the start of a text body, not all of it', async t => {
  const err = await rejectsKind(t, backend().fetch('/text-error', join(dir, 'e')), 'unavailable', /: 503 Service Unavailable: overloaded overloaded/)
  t.notMatch(err?.message ?? '', /END-OF-BODY/, 'cut short')
  t.ok((err?.message.length ?? 0) < 300, `short (${err?.message.length ?? 0} chars, body ${TEXT_ERROR.length})`)
})

t.test('a kept-alive connection dropped on reuse is retried once on a new one', async t => {
  const b = backend()
  t.equal((await b.fetch('/flaky', join(dir, 'f1'))).status, 'fetched')
  t.equal((await b.fetch('/flaky', join(dir, 'f2'))).status, 'fetched', 'the second request went out again')
  t.equal(readFileSync(join(dir, 'f2'), 'utf8'), 'fresh\n')
})

t.test('a pooled connection idle for longer than the time limit is still usable', async t => {
  const b = backend({ timeoutMs: 300 })
  t.equal((await b.fetch('/plain', join(dir, 'i1'))).status, 'fetched')
  await sleep(700)
  t.equal((await b.fetch('/plain', join(dir, 'i2'))).status, 'fetched', 'no stale timeout fired on the reused socket')
})

t.test('secrets stay out of messages and logs', async t => {
  const log = recordingLogger()
  const b = backend({ log })
  const err = await rejectsKind(t, b.fetch('/status?code=404&token=query-secret', join(dir, 'q')), 'not-found', /\/status\?…: 404/)
  t.notMatch(err?.message ?? '', /query-secret/, 'no query string in the message')
  await b.fetch('/status?code=404', join(dir, 'q')).catch(() => {})
  t.notMatch(JSON.stringify(log.records), /very-secret-token|query-secret/, 'nothing logged carries a secret')
})

t.test('constructor refusals', async t => {
  const refuses = (o: Partial<HttpBackendOptions>, re: RegExp): void => {
    try {
      backend(o)
      t.fail(`accepted: ${re.source}`)
    } catch (e) {
      t.ok(e instanceof BackendError && e.kind === 'invalid', `kind invalid: ${String(e)}`)
      t.match((e as Error).message, re)
    }
  }
  refuses({ baseUrl: 'http://h/some/path' }, /must be http\(s\):\/\/host\[:port\] alone/)
  refuses({ baseUrl: 'ftp://h' }, /must be http/)
  refuses({ baseUrl: 'nonsense' }, /is not a URL/)
  refuses({ ca: join(dir, 'missing.pem') }, /cannot read the CA file/)
  writeFileSync(join(dir, 'not.pem'), 'hello')
  refuses({ ca: join(dir, 'not.pem') }, /holds no PEM certificate/)
  let message = ''
  try { backend({ headers: { 'X-Token': 'secret\nvalue' } }) } catch (e) { message = (e as Error).message }
  t.match(message, /header "X-Token" cannot be sent/)
  t.notMatch(message, /secret/, 'the bad value is not echoed')
})
