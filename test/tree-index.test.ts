// TreeIndex over the in-memory backend: folders are listed lazily, one at a
// time; listings are served for dir_cachetime, kept on disk across
// instances, refetched through their parent (a vanished folder is ENOENT),
// served stale when the origin fails; unsafe names never get in.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { TreeIndex } from '../src/pull/tree-index.js'
import { cacheRig, rejection, type CacheRig } from './helpers/file-cache-rig.js'

async function rig (t: Test, o: { dirCachetimeMs?: number } = {}): Promise<{ r: CacheRig; tree: TreeIndex }> {
  const r = await cacheRig(t)
  r.backend.put('/t/top.txt', 'top\n')
  r.backend.put('/t/a/x.txt', 'x in a\n', { mtimeMs: 1_650_000_000_000 })
  r.backend.put('/t/a/b/y.txt', 'y')
  r.backend.put('/t/c/z.txt', 'z')
  const cache = await r.open([r.tree('t', o)])
  const tree = cache.trees.get('t')
  if (tree === undefined) throw new Error('no tree t')
  return { r, tree }
}

const names = async (tree: TreeIndex, rel: string): Promise<string[]> => (await tree.list(rel)).map(e => e.name).sort()
const listingFiles = (r: CacheRig): string[] => readdirSync(join(r.dir, '.stalk', 'tree', 't', 'dirs'))

t.test('a folder is listed when looked into, and only it', async t => {
  const { r, tree } = await rig(t)
  t.same(r.backend.listed, [], 'opening lists nothing')
  t.same(await names(tree, 'a'), ['b', 'x.txt'])
  t.same(r.backend.listed, ['/t/', '/t/a/'], 'the top (to find a), then a; not a/b nor c')
  const x = await tree.node('a/x.txt')
  t.match(x, { kind: 'file', entry: { size: 7, mtimeMs: 1_650_000_000_000, path: '/t/a/x.txt' } }, 'size and mtime from the listing')
  t.match(await tree.node('a/b'), { kind: 'dir', path: '/t/a/b/' })
  t.same(r.backend.calls, { stat: 0, fetch: 0, conditional: 0, downloads: 0 }, 'nothing stat-ed or fetched')
  t.same(r.backend.listed, ['/t/', '/t/a/'], 'a node in a listed folder lists nothing more')
  t.equal(await rejection(tree.node('a/nope')), 'ENOENT')
  t.equal(await rejection(tree.list('top.txt')), 'ENOTDIR', 'a file is not a folder')
})

t.test('listings are served for dir_cachetime, then listed again', async t => {
  const { r, tree } = await rig(t, { dirCachetimeMs: 10_000 })
  t.same(await names(tree, ''), ['a', 'c', 'top.txt'])
  r.backend.put('/t/new.txt', 'new')
  await r.clock.advance(9_999)
  t.same(await names(tree, ''), ['a', 'c', 'top.txt'], 'fresh: the new file is not seen yet')
  t.equal(r.backend.listed.length, 1, 'no second listing while fresh')
  await r.clock.advance(1)
  t.same(await names(tree, ''), ['a', 'c', 'new.txt', 'top.txt'], 'stale: listed again')
  t.equal(r.backend.listed.length, 2)
})

t.test('concurrent lookups in one folder share one listing', async t => {
  const { r, tree } = await rig(t)
  const gate = r.backend.hold()
  const all = Promise.all(['a', 'c', 'top.txt', 'a', 'c'].map(n => tree.node(n)))
  // the listing reaches the origin after some local disk reads (the on-disk index): wait for it
  for (let i = 0; i < 200 && gate.waiting === 0; i++) await new Promise(resolve => setTimeout(resolve, 5))
  await r.clock.settle()
  t.equal(gate.waiting, 1, 'one listing at the origin')
  gate.release()
  t.same((await all).map(n => n.kind), ['dir', 'dir', 'file', 'dir', 'dir'])
  t.same(r.backend.listed, ['/t/'])
})

t.test('the on-disk index is reused by the next instance while fresh', async t => {
  const { r, tree } = await rig(t, { dirCachetimeMs: 60_000 })
  await tree.list('a/b')
  t.same(r.backend.listed, ['/t/', '/t/a/', '/t/a/b/'])
  t.equal(listingFiles(r).length, 3, 'one file per listed folder')
  const again = (await r.open([r.tree('t', { dirCachetimeMs: 60_000 })])).trees.get('t')
  t.same(await names(again as TreeIndex, 'a/b'), ['y.txt'])
  t.match(await again?.node('a/x.txt'), { kind: 'file', entry: { size: 7 } })
  t.equal(r.backend.listed.length, 3, 'a new instance listed nothing: the index answered')
  await r.clock.advance(60_000)
  await again?.list('a/b')
  t.same(r.backend.listed.slice(3), ['/t/', '/t/a/', '/t/a/b/'], 'once stale, listed again through its parents')
})

t.test('a damaged or foreign listing file is not trusted', async t => {
  const { r, tree } = await rig(t)
  await tree.list('')
  const file = join(r.dir, '.stalk', 'tree', 't', 'dirs', listingFiles(r)[0] ?? '')
  const text = readFileSync(file, 'utf8')
  writeFileSync(file, text.slice(0, text.lastIndexOf('{"end"')))
  const cut = (await r.open([r.tree('t')])).trees.get('t')
  t.same(await names(cut as TreeIndex, ''), ['a', 'c', 'top.txt'])
  t.equal(r.backend.listed.length, 2, 'a listing without its end line is listed again')
  const other = (await r.open([{ ...r.tree('t'), origin: 'memory://other/t/' }])).trees.get('t')
  await other?.list('')
  t.equal(r.backend.listed.length, 3, 'another origin under the same name starts afresh')
})

t.test('names that cannot be file names are skipped with one warning', async t => {
  const { r, tree } = await rig(t, { dirCachetimeMs: 1000 })
  const odd = (name: string): { name: string; type: 'file'; meta: { size: number; mtimeMs: number }; path: string } =>
    ({ name, type: 'file', meta: { size: 1, mtimeMs: 0 }, path: `/t/${name}` })
  r.backend.oddEntries.set('/t/', ['', '.', '..', 'a/../../etc', 'nul\0here', 'x'.repeat(256), 'ok ü [1]?.txt'].map(odd))
  t.same(await names(tree, ''), ['a', 'c', 'ok ü [1]?.txt', 'top.txt'], 'only safe names')
  const warned = r.warnings().filter(w => w.msg.includes('cannot be file names'))
  t.equal(warned.length, 1)
  t.match(warned[0]?.obj, { tree: 't', dir: '', count: 6 })
  t.equal(await rejection(tree.node('..')), 'ENOENT')
  await r.clock.advance(1000)
  await tree.list('')
  t.equal(r.warnings().filter(w => w.msg.includes('cannot be file names')).length, 1, 'not again at the next listing')
  t.notMatch(readFileSync(join(r.dir, '.stalk', 'tree', 't', 'dirs', listingFiles(r)[0] ?? ''), 'utf8'), /\.\.\/etc|nul\\u0000/, 'never stored')
})

t.test('an S3-like name that is both an object and a prefix is the folder', async t => {
  const { r, tree } = await rig(t)
  r.backend.oddEntries.set('/t/', [{ name: 'a', type: 'file', meta: { size: 3, mtimeMs: 0 }, path: '/t/a' }])
  t.match(await tree.node('a'), { kind: 'dir' })
  t.equal((await tree.list('')).filter(e => e.name === 'a').length, 1)
})

t.test('origin failures: the cached listing is served stale, none is EIO or EACCES', async t => {
  const { r, tree } = await rig(t, { dirCachetimeMs: 5000 })
  await tree.list('a')
  await r.clock.advance(5000)
  r.backend.put('/t/a/late.txt', 'late')
  r.backend.fault = 'unavailable'
  t.same(await names(tree, 'a'), ['b', 'x.txt'], 'the stale listing')
  t.equal(r.warnings().filter(w => w.msg === 'listing failed; serving the cached listing').length, 2, 'the top and a, once each')
  const tries = r.backend.listed.length
  await tree.list('a')
  t.equal(r.backend.listed.length, tries, 'a failed folder is not asked again before dir_cachetime')
  r.backend.fault = undefined
  await r.clock.advance(5000)
  t.same(await names(tree, 'a'), ['b', 'late.txt', 'x.txt'], 'back: listed again')
  t.ok(r.log.records.some(l => l.msg === 'listing works again'))
  t.equal(await rejection(tree.list('c')), undefined, 'c was never listed; the origin is fine')

  const fresh = await rig(t)
  fresh.r.backend.fault = 'unavailable'
  t.equal(await rejection(fresh.tree.list('')), 'EIO', 'no cached listing: EIO')
  fresh.r.backend.fault = 'forbidden'
  await fresh.r.clock.advance(60_000)
  t.equal(await rejection(fresh.tree.list('')), 'EACCES', 'credentials refused: EACCES')
})

t.test('a folder that vanished at the origin is ENOENT, and its listing is dropped', async t => {
  const { r, tree } = await rig(t, { dirCachetimeMs: 1000 })
  await tree.list('a/b')
  r.backend.removeTree('/t/a/')
  t.same(await names(tree, 'a/b'), ['y.txt'], 'fresh listings are served until they expire')
  await r.clock.advance(1000)
  t.equal(await rejection(tree.node('a/b/y.txt')), 'ENOENT', 'b is looked up in a, a in the top: gone')
  t.equal(await rejection(tree.list('a')), 'ENOENT')
  t.equal(listingFiles(r).length, 1, 'only the top folder\'s listing is left')
  r.backend.fault = 'not-found'
  await r.clock.advance(1000)
  t.equal(await rejection(tree.list('')), 'ENOENT', 'the top folder itself gone')
})
