import t from 'tap'
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { manualClock } from '../src/push/clock.js'
import { cacheRig } from './helpers/file-cache-rig.js'

t.test('a persistent cache is reused after a remount, its age counting from fetchedAt', async t => {
  const r = await cacheRig(t)
  r.backend.put('/a', 'kept across mounts')
  const first = await r.open([r.file('a', { cachetimeMs: 60_000 })])
  await first.ensure('a')
  await first.close()
  const later = manualClock(r.clock.now() + 50_000)
  const second = await r.open([r.file('a', { cachetimeMs: 60_000 })], { clock: later })
  t.match(second.status()[0], { cached: true, ageMs: 50_000, fresh: true })
  t.equal(readFileSync(await second.ensure('a'), 'utf8'), 'kept across mounts')
  t.same(await second.attrs('a'), { size: 18, mtimeMs: r.backend.objects.get('/a')?.mtimeMs })
  t.equal(r.backend.calls.fetch, 1, 'no fetch while fresh after the remount')
  t.equal(r.backend.calls.stat, 0)
  await later.advance(10_000)
  await second.ensure('a')
  t.same(r.backend.calls, { stat: 0, fetch: 2, conditional: 1, downloads: 1 }, 'then a conditional fetch')
})

t.test('a changed origin in the config invalidates the copy', async t => {
  const r = await cacheRig(t)
  r.backend.put('/a', 'from the old origin')
  r.backend.put('/elsewhere/a', 'from the new origin')
  const first = await r.open([r.file('a')])
  await first.ensure('a')
  await first.close()
  const moved = r.file('a', { origin: 'memory://test/elsewhere/a', path: '/elsewhere/a' })
  const second = await r.open([moved])
  t.match(second.status()[0], { cached: false })
  t.equal(readFileSync(await second.ensure('a'), 'utf8'), 'from the new origin')
  t.equal(r.backend.calls.conditional, 0, 'fetched without a validator')
  t.match(r.log.records.find(l => l.msg === 'discarding cached copy')?.obj, { file: 'a', reason: /origin changed/ })
})

t.test('start-up removes orphan temp files and copies it cannot trust', async t => {
  const r = await cacheRig(t)
  r.backend.put('/a', 'aaa')
  r.backend.put('/b', 'bbb')
  r.backend.put('/c', 'ccc')
  const first = await r.open([r.file('a'), r.file('b'), r.file('c')])
  for (const n of ['a', 'b', 'c']) await first.ensure(n)
  await first.close()
  const tmp = join(r.dir, '.stalk', 'tmp')
  writeFileSync(join(tmp, 'half-a-download'), 'xx')
  rmSidecar(r.dir, 'a')
  // b's sidecar now names another inode: a crash between sidecar and rename looks like this
  copyFileSync(join(r.dir, 'b'), join(r.dir, 'b.new'))
  renameSync(join(r.dir, 'b.new'), join(r.dir, 'b'))
  writeFileSync(join(r.dir, '.stalk', 'c.json'), '{"meta": trunc')
  writeFileSync(join(r.dir, 'not-configured'), 'left alone')
  const second = await r.open([r.file('a'), r.file('b'), r.file('c')])
  t.same(r.temps(), [], 'orphan temp removed')
  t.same(second.status().map(s => s.cached), [false, false, false], 'no copy trusted')
  t.same(readdirSync(r.dir).sort(), ['.stalk', 'not-configured'], 'their data files removed, others kept')
  t.equal(readFileSync(await second.ensure('b'), 'utf8'), 'bbb', 'fetched again')
})

function rmSidecar (dir: string, name: string): void {
  renameSync(join(dir, '.stalk', `${name}.json`), join(dir, '.stalk', 'tmp', 'moved-away.json'))
}

t.test('LRU eviction beyond cache_max_size spares open files', async t => {
  const r = await cacheRig(t)
  for (const n of ['a', 'b', 'c']) r.backend.put(`/${n}`, n.repeat(100))
  const cache = await r.open([r.file('a'), r.file('b'), r.file('c')], { maxBytes: 150 })
  cache.acquire('a')
  const fd = openSync(await cache.ensure('a'), 'r')
  t.teardown(() => closeSync(fd))
  await r.clock.advance(1)
  await cache.ensure('b')
  await r.clock.advance(1)
  await cache.ensure('c')
  t.same(cache.status().map(s => s.cached), [true, false, true], 'b evicted: a is older but open')
  t.notOk(existsSync(join(r.dir, 'b')), 'b data removed')
  t.notOk(existsSync(join(r.dir, '.stalk', 'b.json')), 'b sidecar removed')
  await cache.ensure('b')
  t.same(cache.status().map(s => s.cached), [true, true, false], 'now c goes: b was just used')
  cache.release('a')
  t.same(cache.status().map(s => s.cached), [false, true, false], 'a goes once closed')
  t.equal(r.backend.calls.downloads, 4)
})

t.test('ensure counts as use for LRU order', async t => {
  const r = await cacheRig(t)
  for (const n of ['a', 'b', 'c']) r.backend.put(`/${n}`, n.repeat(100))
  const cache = await r.open([r.file('a'), r.file('b'), r.file('c')], { maxBytes: 250 })
  await cache.ensure('a')
  await cache.ensure('b')
  await cache.ensure('a')
  await cache.ensure('c')
  t.same(cache.status().map(s => s.cached), [true, false, true])
})

t.test('a private cache starts empty and removes its files at close', async t => {
  const r = await cacheRig(t)
  r.backend.put('/a', 'aaa')
  const first = await r.open([r.file('a')])
  await first.ensure('a')
  await first.close()
  const priv = await r.open([r.file('a')], { persistent: false })
  t.match(priv.status()[0], { cached: false }, 'not reused')
  await priv.ensure('a')
  await priv.close()
  t.notOk(existsSync(r.dir), 'the emptied dir is gone')
  mkdirSync(r.dir)
})

t.test('.stalk cannot be a file name', async t => {
  const r = await cacheRig(t)
  await t.rejects(r.open([r.file('.stalk')]), /cannot be a file name/)
})
