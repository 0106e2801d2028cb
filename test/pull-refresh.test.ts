// FileCache.refresh (`stem refresh`) over the in-memory backend: a refreshed
// copy is revalidated at its next open and its stat asked again, though its
// cachetime has not passed; nothing is deleted, so a dead origin still gets
// the copy served; only the named files (or paths in a tree) are touched; a
// name that is not in the mount refuses the whole request.
import { readFileSync } from 'node:fs'
import t from 'tap'
import type { FileCache } from '../src/pull/file-cache.js'
import { cacheRig, rejection, type CacheRig } from './helpers/file-cache-rig.js'

const fresh = (cache: FileCache, name: string): boolean | undefined => cache.status().find(f => f.name === name)?.fresh

/** Opens tree file `rel` of tree `t` as the mount does: node, adopt, ensure; returns its cache key. */
async function openTreeFile (cache: FileCache, rel: string): Promise<string> {
  const n = await cache.trees.get('t')?.node(rel)
  if (n?.kind !== 'file') throw new Error(`${rel}: not a file of tree t`)
  await cache.adopt(n.source)
  await cache.ensure(n.source.name)
  return n.source.name
}

async function twoFiles (t: Parameters<typeof cacheRig>[0]): Promise<{ r: CacheRig; cache: FileCache }> {
  const r = await cacheRig(t)
  r.backend.put('/a', 'alpha')
  r.backend.put('/b', 'beta')
  const cache = await r.open([r.file('a', { cachetimeMs: 600_000 }), r.file('b', { cachetimeMs: 600_000 })])
  await cache.ensure('a')
  await cache.ensure('b')
  return { r, cache }
}

t.test('a refreshed copy is revalidated at its next open, within its cachetime', async t => {
  const { r, cache } = await twoFiles(t)
  await cache.ensure('a')
  t.same(r.backend.calls, { stat: 0, fetch: 2, conditional: 0, downloads: 2 }, 'fresh: the second open asked nothing')
  t.same(cache.refresh(['a']), { stale: ['a'], trees: [] })
  t.equal(fresh(cache, 'a'), false, 'status shows it stale')
  t.equal(fresh(cache, 'b'), true, 'the other file is untouched')
  t.ok(cache.status().find(f => f.name === 'a')?.fetchedAt, 'fetchedAt is kept: status still says when it was fetched')
  await cache.ensure('a')
  t.same(r.backend.calls, { stat: 0, fetch: 3, conditional: 1, downloads: 2 }, 'one conditional request, nothing downloaded')
  t.equal(fresh(cache, 'a'), true, 'confirmed: fresh again')
  await cache.ensure('a')
  await cache.ensure('b')
  t.equal(r.backend.calls.fetch, 3, 'fresh again: no more requests, for either')

  r.backend.put('/a', 'alpha, changed')
  cache.refresh(['a'])
  const path = await cache.ensure('a')
  t.equal(readFileSync(path, 'utf8'), 'alpha, changed', 'a changed origin: the new version is fetched')
  t.equal(r.backend.calls.downloads, 3)
})

t.test('without names every copy is refreshed; getattr asks the origin again', async t => {
  const { r, cache } = await twoFiles(t)
  t.same(await cache.attrs('a'), { size: 5, mtimeMs: r.backend.objects.get('/a')?.mtimeMs }, 'fresh: from the sidecar')
  t.equal(r.backend.calls.stat, 0)
  t.same(cache.refresh().stale.slice().sort(), ['a', 'b'])
  await cache.attrs('a')
  t.equal(r.backend.calls.stat, 1, 'the remembered stat was dropped: asked again')
  await cache.ensure('a')
  await cache.ensure('b')
  t.equal(r.backend.calls.conditional, 2, 'both revalidated')
})

t.test('not a delete: with the origin down the copy is still served, and stays stale', async t => {
  const { r, cache } = await twoFiles(t)
  cache.refresh(['a'])
  r.backend.fault = 'unavailable'
  const path = await cache.ensure('a')
  t.equal(readFileSync(path, 'utf8'), 'alpha', 'the stale copy is served')
  t.equal(r.warnings().length, 1, 'with a warning')
  t.equal(fresh(cache, 'a'), false, 'a failed trip does not make it fresh')
  r.backend.fault = undefined
  const before = r.backend.calls.conditional
  await cache.ensure('a')
  t.equal(r.backend.calls.conditional, before + 1, 'the next open asks again')
  t.equal(fresh(cache, 'a'), true)
})

t.test('a refresh during a fetch keeps the copy stale after it', async t => {
  const { r, cache } = await twoFiles(t)
  cache.refresh(['a'])
  const gate = r.backend.hold()
  const inFlight = cache.ensure('a')
  for (let i = 0; i < 200 && gate.waiting === 0; i++) await new Promise(resolve => setTimeout(resolve, 5))
  t.equal(gate.waiting, 1, 'the revalidation is at the origin')
  cache.refresh(['a'])
  gate.release()
  await inFlight
  t.equal(fresh(cache, 'a'), false, 'the trip began before the second refresh: it cannot vouch for it')
  await cache.ensure('a')
  t.equal(fresh(cache, 'a'), true, 'the next trip does')
})

t.test('a name not in the mount refuses the request and marks nothing', async t => {
  const { cache } = await twoFiles(t)
  for (const bad of ['nope', 'a/below', '../a']) {
    t.equal(await rejection(() => cache.refresh(['a', bad])), 'EINVAL', JSON.stringify(bad))
  }
  t.throws(() => cache.refresh(['nope']), /"nope": not a file or folder of this mount/)
  t.equal(fresh(cache, 'a'), true, 'a was not marked by the refused requests')
  t.same(cache.refresh(['/a/', 'a']), { stale: ['a'], trees: [] }, 'slashes around a name are dropped')
})

t.test('directory origins: a path inside the tree, a folder, the tree; listings too', async t => {
  const r = await cacheRig(t)
  r.backend.put('/t/top.txt', 'top')
  r.backend.put('/t/a/x.txt', 'x')
  r.backend.put('/t/a/b/y.txt', 'y')
  const cache = await r.open([r.tree('t', { cachetimeMs: 600_000, dirCachetimeMs: 600_000 })])
  const keys = [await openTreeFile(cache, 'top.txt'), await openTreeFile(cache, 'a/x.txt'), await openTreeFile(cache, 'a/b/y.txt')]
  t.same(keys, ['t/top.txt', 't/a/x.txt', 't/a/b/y.txt'])
  t.same(r.backend.listed, ['/t/', '/t/a/', '/t/a/b/'])
  t.equal(r.backend.calls.conditional, 0)

  t.same(cache.refresh(['t/a/x.txt']), { stale: ['t/a/x.txt'], trees: ['t/a/x.txt'] }, 'one file of the tree')
  await r.clock.advance(1)
  for (const rel of ['top.txt', 'a/x.txt', 'a/b/y.txt']) await openTreeFile(cache, rel)
  t.equal(r.backend.calls.conditional, 1, 'only that file was revalidated')
  t.equal(r.backend.listed.length, 3, 'no folder was listed again')

  r.backend.put('/t/a/new.txt', 'new')
  t.same(cache.refresh(['t/a']), { stale: ['t/a/x.txt', 't/a/b/y.txt'], trees: ['t/a'] }, 'a folder: everything under it')
  await r.clock.advance(1)
  t.same((await cache.trees.get('t')?.list('a'))?.map(e => e.name).sort(), ['b', 'new.txt', 'x.txt'], 'its listing is fetched again: the new file shows')
  t.same(r.backend.listed.slice(3), ['/t/a/'], 'that folder only; not its parent')
  for (const rel of ['top.txt', 'a/x.txt', 'a/b/y.txt']) await openTreeFile(cache, rel)
  t.equal(r.backend.calls.conditional, 3, 'the two files under it were revalidated, top.txt was not')

  t.same(cache.refresh(['t']).trees, ['t'], 'the whole tree')
  await r.clock.advance(1)
  for (const rel of ['top.txt', 'a/x.txt', 'a/b/y.txt']) await openTreeFile(cache, rel)
  t.equal(r.backend.calls.conditional, 6, 'every file revalidated')
  t.equal(r.backend.calls.downloads, 3, 'nothing changed, nothing downloaded')
})

t.test('a tree copy left by an earlier run, not opened yet, counts as refreshed', async t => {
  const r = await cacheRig(t)
  r.backend.put('/t/a/x.txt', 'x')
  const tree = r.tree('t', { cachetimeMs: 600_000, dirCachetimeMs: 600_000 })
  const first = await r.open([tree])
  await openTreeFile(first, 'a/x.txt')
  await first.close()
  const again = await r.open([tree])
  t.same(again.refresh(), { stale: [], trees: ['t'] }, 'nothing of the tree is in memory yet')
  await r.clock.advance(1)
  await openTreeFile(again, 'a/x.txt')
  t.equal(r.backend.calls.conditional, 1, 'the copy from disk was revalidated when it joined')
  await openTreeFile(again, 'a/x.txt')
  t.equal(r.backend.calls.conditional, 1, 'and is fresh after that')
})
