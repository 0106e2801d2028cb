import t from 'tap'
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { cacheRig } from './helpers/file-cache-rig.js'

const calls = (b: { calls: object }): object => ({ ...b.calls })

t.test('attrs before the first read give the real size from a stat, without a download', async t => {
  const r = await cacheRig(t)
  r.backend.put('/a', 'x'.repeat(12345), { mtimeMs: 1_600_000_000_000 })
  const cache = await r.open([r.file('a')])
  t.same(await cache.attrs('a'), { size: 12345, mtimeMs: 1_600_000_000_000 })
  t.same(calls(r.backend), { stat: 1, fetch: 0, conditional: 0, downloads: 0 })
  await cache.attrs('a')
  t.equal(r.backend.calls.stat, 1, 'the stat is kept for cachetime')
  const path = await cache.ensure('a')
  t.equal(readFileSync(path, 'utf8'), 'x'.repeat(12345))
  t.same(await cache.attrs('a'), { size: 12345, mtimeMs: 1_600_000_000_000 }, 'from the copy')
  t.same(calls(r.backend), { stat: 1, fetch: 1, conditional: 0, downloads: 1 })
  t.equal(statSync(path).mtimeMs, 1_600_000_000_000, 'the copy has the origin mtime')
})

t.test('a fresh copy costs no network call at all', async t => {
  const r = await cacheRig(t)
  r.backend.put('/a', 'hello')
  const cache = await r.open([r.file('a', { cachetimeMs: 10_000 })])
  await cache.ensure('a')
  const before = calls(r.backend)
  await r.clock.advance(9_999)
  await cache.ensure('a')
  await cache.attrs('a')
  t.same(calls(r.backend), before, 'no stat, no fetch')
  t.same(r.temps(), [], 'no temp files left')
})

t.test('stale and unchanged: one conditional call, no download, age reset', async t => {
  const r = await cacheRig(t)
  r.backend.put('/a', 'hello')
  const cache = await r.open([r.file('a', { cachetimeMs: 10_000 })])
  const path = await cache.ensure('a')
  await r.clock.advance(10_000)
  t.equal(cache.status()[0]?.fresh, false, 'stale at exactly cachetime')
  await cache.ensure('a')
  t.same(calls(r.backend), { stat: 0, fetch: 2, conditional: 1, downloads: 1 })
  const s = cache.status()[0]
  t.equal(s?.lastResult, 'not-modified')
  t.equal(s?.ageMs, 0, 'age counts from now')
  t.equal(s?.fresh, true)
  const sidecar = JSON.parse(readFileSync(join(r.dir, '.stalk', 'a.json'), 'utf8')) as { fetchedAt: number }
  t.equal(sidecar.fetchedAt, r.clock.now(), 'the sidecar has the new fetchedAt')
  t.equal(readFileSync(path, 'utf8'), 'hello')
})

t.test('size+mtime revalidate an origin without etags', async t => {
  const r = await cacheRig(t)
  r.backend.put('/a', 'hello', { etag: false, mtimeMs: 5000 })
  const cache = await r.open([r.file('a', { cachetimeMs: 0 })])
  await cache.ensure('a')
  await cache.ensure('a')
  t.equal(cache.status()[0]?.lastResult, 'not-modified')
  r.backend.put('/a', 'hellO', { etag: false, mtimeMs: 6000 })
  t.equal(readFileSync(await cache.ensure('a'), 'utf8'), 'hellO', 'same size, new mtime: fetched')
  t.equal(r.backend.calls.downloads, 2)
})

t.test('stale and changed: new content, an open fd keeps the old version', async t => {
  const r = await cacheRig(t)
  r.backend.put('/a', 'version one')
  const cache = await r.open([r.file('a', { cachetimeMs: 1000 })])
  const fd = openSync(await cache.ensure('a'), 'r')
  t.teardown(() => closeSync(fd))
  r.backend.put('/a', 'the second version, longer')
  await r.clock.advance(1000)
  const path = await cache.ensure('a')
  t.equal(readFileSync(path, 'utf8'), 'the second version, longer')
  t.same(await cache.attrs('a'), { size: 26, mtimeMs: r.backend.objects.get('/a')?.mtimeMs }, 'attrs of the new copy')
  const buf = Buffer.alloc(64)
  const n = readSync(fd, buf, 0, 64, 0)
  t.equal(buf.subarray(0, n).toString(), 'version one', 'the old handle reads the old snapshot')
  t.equal(cache.status()[0]?.lastResult, 'fetched')
})

t.test('cachetime 0 revalidates at every ensure', async t => {
  const r = await cacheRig(t)
  r.backend.put('/a', 'hello')
  const cache = await r.open([r.file('a', { cachetimeMs: 0 })])
  await cache.ensure('a')
  await cache.ensure('a')
  await cache.ensure('a')
  t.same(calls(r.backend), { stat: 0, fetch: 3, conditional: 2, downloads: 1 })
})

t.test('a stale copy asks the origin for getattr (the kernel trusts the size)', async t => {
  const r = await cacheRig(t)
  r.backend.put('/a', 'short')
  const cache = await r.open([r.file('a', { cachetimeMs: 1000 })])
  await cache.ensure('a')
  r.backend.put('/a', 'a lot longer now')
  t.equal((await cache.attrs('a')).size, 5, 'fresh: the copy answers')
  await r.clock.advance(1000)
  t.equal((await cache.attrs('a')).size, 16, 'stale: the origin answers')
  t.equal(r.backend.calls.stat, 1)
})

t.test('an unknown name is ENOENT', async t => {
  const r = await cacheRig(t)
  const cache = await r.open([r.file('a')])
  await t.rejects(cache.ensure('b'), { code: 'ENOENT' })
  await t.rejects(cache.attrs('b'), { code: 'ENOENT' })
  t.throws(() => { cache.acquire('b') }, { code: 'ENOENT' })
})

t.test('status describes every file', async t => {
  const r = await cacheRig(t)
  r.backend.put('/a', 'hello')
  const cache = await r.open([r.file('a'), r.file('b')])
  await cache.ensure('a')
  await r.clock.advance(500)
  const [a, b] = cache.status()
  t.match(a, {
    name: 'a', origin: 'memory://test/a', cached: true, size: 5, fetchedAt: 1_000_000, ageMs: 500, fresh: true,
    lastResult: 'fetched', lastResultAt: 1_000_000, lastError: null, inFlight: false, openCount: 0
  })
  t.match(b, { name: 'b', cached: false, size: null, fetchedAt: null, ageMs: null, fresh: false, lastResult: null })
})
