import t from 'tap'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { cacheRig, rejection } from './helpers/file-cache-rig.js'
import type { Fault } from './helpers/memory-backend.js'

for (const fault of ['unavailable', 'timeout', 'forbidden'] as const) {
  t.test(`origin ${fault} with a copy: the stale copy is served, with a warning, and stays stale`, async t => {
    const r = await cacheRig(t)
    r.backend.put('/a', 'good copy')
    const cache = await r.open([r.file('a', { cachetimeMs: 1000 })])
    await cache.ensure('a')
    await r.clock.advance(1000)
    r.backend.fault = fault
    const path = await cache.ensure('a')
    t.equal(readFileSync(path, 'utf8'), 'good copy')
    t.equal(r.warnings().length, 1, 'one warning')
    t.match(r.warnings()[0]?.obj, { file: 'a', origin: 'memory://test/a' })
    t.match(cache.status()[0], { fresh: false, lastResult: 'stale-served', lastError: /memory:\/\/test/ })
    await cache.ensure('a')
    t.equal(r.backend.calls.fetch, 3, 'the next ensure asks the origin again')
    t.equal(r.warnings().length, 1, 'the same failure again is not warned twice')
    t.same(await cache.attrs('a'), { size: 9, mtimeMs: r.backend.objects.get('/a')?.mtimeMs }, 'attrs fall back to the copy')
    await cache.attrs('a')
    t.equal(r.backend.calls.stat, 1, 'and remember that for cachetime')
    r.backend.fault = undefined
    await cache.ensure('a')
    t.match(cache.status()[0], { fresh: true, lastResult: 'not-modified' }, 'recovered')
    t.same(r.temps(), [])
  })
}

const noCopy: ReadonlyArray<[Fault, string]> = [
  ['unavailable', 'EIO'], ['timeout', 'EIO'], ['forbidden', 'EACCES'], ['not-found', 'ENOENT'], ['fail-midway', 'EIO']
]
for (const [fault, code] of noCopy) {
  t.test(`origin ${fault} without a copy: ${code}, no file left`, async t => {
    const r = await cacheRig(t)
    r.backend.put('/a', 'never arrives')
    const cache = await r.open([r.file('a')])
    r.backend.fault = fault
    t.equal(await rejection(cache.ensure('a')), code, 'ensure')
    t.equal(await rejection(cache.attrs('a')), fault === 'fail-midway' ? undefined : code, 'attrs')
    t.notOk(existsSync(join(r.dir, 'a')), 'no data file')
    t.notOk(existsSync(join(r.dir, '.stalk', 'a.json')), 'no sidecar')
    t.same(r.temps(), [], 'no temp file')
    t.match(cache.status()[0], { cached: false, fresh: false, inFlight: false })
  })
}

t.test('not found at the origin: ENOENT even with a copy, and the copy is removed', async t => {
  const r = await cacheRig(t)
  r.backend.put('/a', 'soon gone')
  const cache = await r.open([r.file('a', { cachetimeMs: 1000 })])
  await cache.ensure('a')
  r.backend.remove('/a')
  await r.clock.advance(1000)
  t.equal(await rejection(cache.attrs('a')), 'ENOENT', 'getattr of a stale copy asks and hears not found')
  t.equal(await rejection(cache.ensure('a')), 'ENOENT')
  t.same(readdirSync(r.dir).sort(), ['.stalk'], 'data file removed')
  t.same(readdirSync(join(r.dir, '.stalk')), ['tmp'], 'sidecar removed')
  t.match(cache.status()[0], { cached: false, lastResult: 'not-found' })
})

t.test('a download failing midway leaves the old copy intact and no partial file', async t => {
  const r = await cacheRig(t)
  r.backend.put('/a', 'the old, complete copy')
  const cache = await r.open([r.file('a', { cachetimeMs: 1000 })])
  await cache.ensure('a')
  r.backend.put('/a', 'a new version that breaks off halfway')
  r.backend.fault = 'fail-midway'
  await r.clock.advance(1000)
  const path = await cache.ensure('a')
  t.equal(readFileSync(path, 'utf8'), 'the old, complete copy')
  t.same(r.temps(), [], 'the half download is gone')
  t.match(cache.status()[0], { fresh: false, lastResult: 'stale-served', size: 22 })
  r.backend.fault = undefined
  t.equal(readFileSync(await cache.ensure('a'), 'utf8'), 'a new version that breaks off halfway')
})

t.test('a failed first fetch is retried at the next ensure', async t => {
  const r = await cacheRig(t)
  r.backend.put('/a', 'hello')
  const cache = await r.open([r.file('a')])
  r.backend.fault = 'unavailable'
  t.equal(await rejection(cache.ensure('a')), 'EIO')
  t.equal(r.warnings().length, 1, 'warned')
  r.backend.fault = undefined
  t.equal(readFileSync(await cache.ensure('a'), 'utf8'), 'hello')
  t.match(cache.status()[0], { lastResult: 'fetched', lastError: /connection refused/ }, 'the last error is kept for status')
})

t.test('the errno message names the file and the origin', async t => {
  const r = await cacheRig(t)
  const cache = await r.open([r.file('a')])
  r.backend.fault = 'forbidden'
  await t.rejects(cache.ensure('a'), { name: 'FsError', code: 'EACCES', message: /^a: memory:\/\/test\/a: .*403/ })
})
