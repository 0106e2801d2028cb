// The pull filesystem's ops inside a directory origin, over the in-memory
// backend: the tree is a folder of the root, stat answers from listings and
// downloads nothing, open fetches into the cache in the tree's shape, a
// listing newer than the copy wins, copies of tree files are evicted like
// any other (also those a previous run left).
import { existsSync, readdirSync } from 'node:fs'
import { constants } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { Caller } from '../src/fuse/fs-ops.js'
import { silentLogger } from '../src/logger.js'
import { createPullFs, type PullFs } from '../src/pull/pull-fs.js'
import { cacheRig, rejection, type CacheRig } from './helpers/file-cache-rig.js'

const { O_RDONLY, S_IFDIR, S_IFREG } = constants
const me: Caller = { uid: 1000, gid: 1000, pid: 1 }

async function mount (t: Test, o: { cachetimeMs?: number; dirCachetimeMs?: number; maxBytes?: number } = {}): Promise<{ r: CacheRig; fs: PullFs }> {
  const r = await cacheRig(t)
  r.backend.put('/f', 'a configured file\n')
  r.backend.put('/t/a/x.txt', 'x in a\n', { mtimeMs: 1_650_000_000_000 })
  r.backend.put('/t/a/b/deep.bin', 'd'.repeat(5000))
  r.backend.put('/t/top.txt', 'top')
  const cache = await r.open([r.file('f'), r.tree('t', o)], o.maxBytes === undefined ? {} : { maxBytes: o.maxBytes })
  return { r, fs: createPullFs({ cache, log: silentLogger, clock: r.clock }) }
}

/** open answers a bare fd, or one with page cache flags. */
function handleOf (h: number | { readonly fh: number }): number {
  return typeof h === 'number' ? h : h.fh
}

async function cat (fs: PullFs, path: string): Promise<string> {
  const fh = handleOf(await fs.open(path, O_RDONLY, me))
  const buf = Buffer.alloc(100_000)
  const n = await fs.read(path, fh, buf, buf.length, 0)
  await fs.release(path, fh)
  return buf.subarray(0, n).toString()
}

const dataFiles = (dir: string): string[] => existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort() : []

t.test('the tree is a folder of the root; stat and readdir answer from listings alone', async t => {
  const { r, fs } = await mount(t)
  t.same(await fs.readdir('/'), ['f', 't'], 'files and folders in config order')
  t.match(await fs.getattr('/t'), { mode: S_IFDIR | 0o555 })
  t.same((await fs.readdir('/t')).slice().sort(), ['a', 'top.txt'])
  t.same((await fs.readdir('/t/a')).slice().sort(), ['b', 'x.txt'])
  const x = await fs.getattr('/t/a/x.txt')
  t.match(x, { mode: S_IFREG | 0o444, size: 7, mtimeMs: 1_650_000_000_000 })
  t.equal((await fs.getattr('/t/a/b/deep.bin')).size, 5000)
  t.same(r.backend.calls, { stat: 0, fetch: 0, conditional: 0, downloads: 0 }, 'no stat, no download')
  t.same(dataFiles(join(r.dir, 't')), [], 'no data file in the cache')
  const inos = await Promise.all(['/t', '/t/a', '/t/a/b', '/t/a/x.txt', '/t/top.txt'].map(async p => (await fs.getattr(p)).ino))
  t.equal(new Set(inos).size, 5, 'every folder and file its own inode number (find would see loops otherwise)')
  t.equal((await fs.getattr('/t/a')).ino, inos[1], 'and the same one each time')
})

t.test('errors: missing names, files as folders, folders as files, writes', async t => {
  const { fs } = await mount(t)
  t.equal(await rejection(fs.getattr('/t/nope')), 'ENOENT')
  t.equal(await rejection(fs.getattr('/t/a/nope/deeper')), 'ENOENT')
  t.equal(await rejection(fs.getattr('/t/a/../top.txt')), 'ENOENT', 'dot names are never resolved')
  t.equal(await rejection(fs.readdir('/t/top.txt')), 'ENOTDIR')
  t.equal(await rejection(fs.open('/t/a', O_RDONLY, me)), 'EISDIR')
  t.equal(await rejection(fs.open('/t', O_RDONLY, me)), 'EISDIR')
  t.equal(await rejection(fs.open('/t/a/x.txt', constants.O_WRONLY, me)), 'EROFS')
  t.equal(await rejection(() => fs.create('/t/a/new', 0o644, me)), 'EROFS')
  t.equal(await rejection(() => fs.mkdir('/t/a/d', 0o755, me)), 'EROFS')
  t.equal(await rejection(() => fs.unlink('/t/top.txt')), 'EROFS')
  t.equal(await rejection(fs.access('/t/a/x.txt', constants.X_OK)), 'EACCES')
  t.equal(await rejection(fs.access('/t/a', constants.R_OK | constants.X_OK)), undefined)
  t.equal(await rejection(fs.access('/t/gone', constants.R_OK)), 'ENOENT')
})

t.test('open fetches into the cache in the tree\'s shape', async t => {
  const { r, fs } = await mount(t)
  t.equal(await cat(fs, '/t/a/b/deep.bin'), 'd'.repeat(5000))
  t.equal(await cat(fs, '/t/a/x.txt'), 'x in a\n')
  t.same(dataFiles(join(r.dir, 't')), ['a', 'a/b', 'a/b/deep.bin', 'a/x.txt'])
  t.equal(readdirSync(join(r.dir, '.stalk', 'tree', 't', 'files')).length, 2, 'sidecars apart, by hash')
  t.equal(await cat(fs, '/t/a/x.txt'), 'x in a\n')
  t.equal(r.backend.calls.downloads, 2, 'fresh copies are not fetched again')
})

t.test('a listing newer than the copy names the version served', async t => {
  const { r, fs } = await mount(t, { cachetimeMs: 3_600_000, dirCachetimeMs: 1000 })
  t.equal(await cat(fs, '/t/a/x.txt'), 'x in a\n')
  r.backend.put('/t/a/x.txt', 'the second, longer version\n')
  t.equal((await fs.getattr('/t/a/x.txt')).size, 7, 'the listing is still fresh')
  await r.clock.advance(1000)
  t.equal((await fs.getattr('/t/a/x.txt')).size, 27, 'a new listing: its size, though the copy is within cachetime')
  t.equal(await cat(fs, '/t/a/x.txt'), 'the second, longer version\n', 'open fetched the version the listing named')
  t.equal(r.backend.calls.conditional, 1, 'by a conditional fetch')
})

t.test('a copy fetched after the listing gives the size', async t => {
  const { r, fs } = await mount(t, { cachetimeMs: 0, dirCachetimeMs: 3_600_000 })
  t.equal((await fs.getattr('/t/top.txt')).size, 3)
  r.backend.put('/t/top.txt', 'top, changed')
  await r.clock.advance(1)
  t.equal(await cat(fs, '/t/top.txt'), 'top, changed', 'cachetime 0: revalidated at open')
  t.equal((await fs.getattr('/t/top.txt')).size, 12, 'the copy is newer than the listing')
})

t.test('tree copies count toward cache_max_size, those of a previous run too', async t => {
  const { r, fs } = await mount(t)
  t.equal(await cat(fs, '/t/a/b/deep.bin'), 'd'.repeat(5000))
  await r.clock.advance(1)
  t.equal(await cat(fs, '/t/a/x.txt'), 'x in a\n')
  await r.clock.advance(1)
  t.equal(await cat(fs, '/t/top.txt'), 'top')
  await r.open([r.file('f'), r.tree('t')], { maxBytes: 100 })
  t.same(dataFiles(join(r.dir, 't')).filter(f => f.includes('.')), ['a/x.txt', 'top.txt'],
    'the oldest copy went at open, though nobody opened it in this run')
  t.equal(readdirSync(join(r.dir, '.stalk', 'tree', 't', 'files')).length, 2, 'with its sidecar')
})
